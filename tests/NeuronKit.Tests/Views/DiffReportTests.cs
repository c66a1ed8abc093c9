using System.Buffers.Binary;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Tests.Views;

/// <summary><c>diff --json</c> as a report: its rows written in chunks formatted on all cores, in order, and read back whole.</summary>
public class DiffReportTests
{
    private const int Neurons = 3000;

    // A Linear layer of 3,000 neurons (three chunks of rows): weights 0.5, 1.5, 2.5, … row by row, each times scale(row).
    private static TempFile WideLayer(string name, Func<int, float> scale)
    {
        string header = $"{{\"fc.weight\":{{\"dtype\":\"F32\",\"shape\":[{Neurons},4],\"data_offsets\":[0,{Neurons * 16}]}}}}";
        var data = new byte[Neurons * 16];
        for (int i = 0; i < Neurons * 4; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (i + 0.5f) * scale(i / 4));
        return new TempFile(name, SafetensorsBytes.Build(header, data));
    }

    [Fact]
    public void A_layer_of_thousands_of_neurons_is_written_in_chunks_with_every_row_in_order()
    {
        // Given a layer of 3,000 neurons and its copy with neuron j scaled by 1 + j/1000, and neuron 7 zeroed
        using var a = WideLayer("a.safetensors", _ => 1);
        using var b = WideLayer("b.safetensors", j => j == 7 ? 0 : 1 + j / 1000f);
        using var modelA = Model.Open(a.Path);
        using var modelB = Model.Open(b.Path);
        var diff = ModelDiff.Compute(modelA, modelB);
        var report = DiffReport.Of(diff, DiffOrder.ByIndex);

        // When it is written to a text writer
        var output = new WriteCountingWriter();
        ReportJson.Write(output, report);

        // Then it arrived in several writes, none of them the whole; it is what the CLI prints, and reads back as every
        // neuron's row in index order, made as one row is made
        string json = output.ToString();
        Assert.True(output.Writes >= 3, $"{output.Writes} writes");
        Assert.True(output.Largest < json.Length / 2, $"largest write {output.Largest} of {json.Length} characters");
        Assert.Equal(CliRun.Of("diff", a.Path, b.Path, "--json").Stdout, json);
        var rows = ReportJson.Deserialize<DiffReport>(json).Layers.Single().Stats;
        Assert.Equal(Neurons, rows.Count);
        Assert.Equal(diff.Layers.Single().Neurons.Select(NeuronDiffRow.Of), rows.All(), new RowComparer());
        Assert.Equal(["became_dead"], rows[7].Flags);

        // And the rows read back write the same text again
        Assert.Equal(json, ReportJson.Serialize(ReportJson.Deserialize<DiffReport>(json)) + "\n");
    }

    // Rows equal field by field, flags as sequences (a record compares lists by reference).
    private sealed class RowComparer : IEqualityComparer<NeuronDiffRow>
    {
        public bool Equals(NeuronDiffRow? x, NeuronDiffRow? y) =>
            x is not null && y is not null && (x with { Flags = [] }) == (y with { Flags = [] }) && x.Flags.SequenceEqual(y.Flags);

        public int GetHashCode(NeuronDiffRow row) => row.Neuron.GetHashCode();
    }
}
