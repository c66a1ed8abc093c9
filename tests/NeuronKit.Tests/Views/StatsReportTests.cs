using System.Text;
using NeuronKit.Stats;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Tests.Views;

/// <summary><c>stats --json</c> as a report: streamed in chunks, ordered as asked, and read back whole.</summary>
public class StatsReportTests
{
    [Fact]
    public void A_layer_of_thousands_of_neurons_streams_out_in_chunks_rather_than_as_one_string()
    {
        // Given a Linear layer of 3,000 neurons (three chunks of rows)
        const int neurons = 3000;
        string header = $"{{\"fc.weight\":{{\"dtype\":\"F32\",\"shape\":[{neurons},4],\"data_offsets\":[0,{neurons * 16}]}}}}";
        using var file = new TempFile("wide.safetensors", SafetensorsBytes.Build(header, SafetensorsBytes.Floats(neurons * 4)));
        using var model = Model.Open(file.Path);
        var report = StatsReport.Of(ModelStats.Compute(model));

        // When it is written to a text writer
        var output = new WriteCountingWriter();
        ReportJson.Write(output, report);

        // Then it arrived in several writes, none of them the whole, and reads back as every row in index order
        string json = output.ToString();
        Assert.True(output.Writes >= 3, $"{output.Writes} writes");
        Assert.True(output.Largest < json.Length / 2, $"largest write {output.Largest} of {json.Length} characters");
        Assert.Equal(ReportJson.Serialize(report) + "\n", json);
        var rows = ReportJson.Deserialize<StatsReport>(json).Layers.Single().Stats;
        Assert.Equal(Enumerable.Range(0, neurons).Select(i => (long)i), rows.All().Select(r => r.Neuron));
        Assert.Equal(Math.Sqrt(0.5 * 0.5 + 1.5 * 1.5 + 2.5 * 2.5 + 3.5 * 3.5), rows[0].L2, 12);
    }

    [Fact]
    public void Sorted_and_cut_rows_are_those_the_CLI_prints()
    {
        // Given the stats of a model with gated, half-precision and conv layers
        string path = Fixtures.Path("stats/stats.pt");
        using var model = Model.Open(path);
        var stats = ModelStats.Compute(model);

        // When the report is made with the CLI's --sort l2:asc --top 2
        var report = StatsReport.Of(stats, StatsOrder.Parse("l2:asc", 2));

        // Then each layer has its two smallest L2 norms, ascending, and the JSON is the CLI's
        var layers = report.Layers.ToList();
        Assert.Equal(model.Layers.Count, layers.Count);
        Assert.All(layers, layer =>
        {
            Assert.Equal(2, layer.Stats.Count);
            Assert.True(layer.Stats[0].L2 <= layer.Stats[1].L2);
        });
        Assert.Equal(CliRun.Of("stats", path, "--json", "--sort", "l2:asc", "--top", "2").Stdout, ReportJson.Serialize(report) + "\n");
    }

    [Theory]
    [InlineData("stats/stats.pt")]
    [InlineData("numpy/complex.npy")]
    [InlineData("pytorch/seed_lstm.pt")]
    public void The_CLI_s_stats_JSON_reads_back_as_a_report_that_writes_it_again(string fixture)
    {
        // Given what stats --outgoing --json printed (gate biases, skipped complex layers, outgoing norms)
        string printed = CliRun.Of("stats", Fixtures.Path(fixture), "--json", "--outgoing").Stdout;

        // When it is read back and written again
        var report = ReportJson.Deserialize<StatsReport>(printed);

        // Then it is the same text
        Assert.Equal(printed, ReportJson.Serialize(report) + "\n");
        Assert.True(report.Layers.Any() || report.Skipped is { Count: > 0 });
    }

    // Counts the writes a report arrives in, and the largest.
    private sealed class WriteCountingWriter : StringWriter
    {
        public int Writes { get; private set; }
        public int Largest { get; private set; }

        public override void Write(char[] buffer, int index, int count)
        {
            Writes++;
            Largest = Math.Max(Largest, count);
            base.Write(buffer, index, count);
        }
    }
}
