using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Views.Tables;

namespace NeuronKit.Tests.Track;

/// <summary>How neuron track's Parquet is laid out for the engines that read it.</summary>
public class TrackParquetWriterTests
{
    [Fact]
    public void Rows_go_to_row_groups_of_a_fixed_size_across_checkpoints()
    {
        // Given two checkpoints of a layer with 200,000 neurons each (400,000 rows: more than one row group)
        const int Neurons = 200_000;
        var bytes = SafetensorsBytes.Build($"{{\"fc.weight\":{{\"dtype\":\"F32\",\"shape\":[{Neurons},1],\"data_offsets\":[0,{Neurons * 4}]}}}}",
            SafetensorsBytes.Floats(Neurons));
        using var first = new TempFile("step_1.safetensors", bytes);
        string second = Path.Combine(Path.GetDirectoryName(first.Path)!, "step_2.safetensors");
        File.WriteAllBytes(second, bytes);
        string output = Path.Combine(Path.GetDirectoryName(first.Path)!, "run.parquet");

        // When the run is tracked
        var run = CliRun.Of("track", first.Path, second, "--parquet", output);

        // Then the rows fill whole row groups in order, the last one taking the rest, and every row is there once
        Assert.True(run.Exit == 0, run.Stderr);
        var groups = DuckDb.Rows($"SELECT row_group_id, row_group_num_rows FROM parquet_metadata({DuckDb.Literal(output)}) GROUP BY ALL ORDER BY row_group_id")
            .Select(r => Convert.ToInt64(r[1])).ToList();
        Assert.Equal([TrackParquetWriter.RowGroupRows, 2 * Neurons - TrackParquetWriter.RowGroupRows], groups);
        var counts = DuckDb.Rows($"SELECT step, count(*), count(DISTINCT neuron), max(l1) FROM read_parquet({DuckDb.Literal(output)}) GROUP BY step ORDER BY step");
        Assert.Equal([[1L, (long)Neurons, (long)Neurons, Neurons - 0.5], [2L, (long)Neurons, (long)Neurons, Neurons - 0.5]],
            counts.Select(r => new object[] { r[0]!, Convert.ToInt64(r[1]), Convert.ToInt64(r[2]), r[3]! }));
    }
}
