using System.Text;
using NeuronKit.Stats;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Tests.Views;

/// <summary><c>stats --json</c> as a report: streamed in chunks, ordered as asked, and read back whole.</summary>
public class StatsReportTests
{
    private const int Neurons = 3000;

    // A Linear layer of 3,000 neurons (three chunks of rows), weights 0.5, 1.5, 2.5, … row by row.
    private static TempFile WideLayer()
    {
        string header = $"{{\"fc.weight\":{{\"dtype\":\"F32\",\"shape\":[{Neurons},4],\"data_offsets\":[0,{Neurons * 16}]}}}}";
        return new TempFile("wide.safetensors", SafetensorsBytes.Build(header, SafetensorsBytes.Floats(Neurons * 4)));
    }

    [Fact]
    public void A_layer_of_thousands_of_neurons_streams_out_in_chunks_rather_than_as_one_string()
    {
        // Given a layer of 3,000 neurons
        using var file = WideLayer();
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
        Assert.Equal(Enumerable.Range(0, Neurons).Select(i => (long)i), rows.All().Select(r => r.Neuron));
        Assert.Equal(Math.Sqrt(0.5 * 0.5 + 1.5 * 1.5 + 2.5 * 2.5 + 3.5 * 3.5), rows[0].L2, 12);
    }

    [Fact]
    public async Task A_stream_that_takes_only_asynchronous_writes_gets_the_same_bytes_in_several_writes()
    {
        // Given a layer of 3,000 neurons and a stream that refuses synchronous writes, as ASP.NET Core's response body does
        using var file = WideLayer();
        using var model = Model.Open(file.Path);
        var report = StatsReport.Of(ModelStats.Compute(model));
        using var body = new AsynchronousOnlyStream();

        // When the report is written to it asynchronously
        await ReportJson.WriteAsync(body, report).WaitAsync(TimeSpan.FromSeconds(60));

        // Then it holds what the synchronous writer gives, delivered as it was made
        Assert.Equal(ReportJson.Serialize(report) + "\n", Encoding.UTF8.GetString(body.ToArray()));
        Assert.True(body.Writes >= 3, $"{body.Writes} writes");
    }

    [Fact]
    public async Task When_the_client_goes_away_writing_stops_with_the_client_s_error()
    {
        // Given twenty layers of 3,000 neurons, counting those written, and a stream that fails after its first write,
        // as a closed connection does
        using var file = WideLayer();
        using var model = Model.Open(file.Path);
        var layer = StatsReport.Of(ModelStats.Compute(model)).Layers.Single();
        int made = 0;
        IEnumerable<StatsLayerReport> Twenty()
        {
            for (int i = 0; i < 20; i++, made++) yield return layer;
        }
        var report = StatsReport.Of(ModelStats.Compute(model)) with { Layers = Twenty() };
        using var body = new AsynchronousOnlyStream { FailAfter = 1 };

        // When the report is written to it
        var writing = ReportJson.WriteAsync(body, report).WaitAsync(TimeSpan.FromSeconds(60));

        // Then the failure comes back, and the writing stopped soon after it rather than running on to the end
        await Assert.ThrowsAsync<IOException>(() => writing);
        Assert.Equal(1, body.Writes);
        Assert.True(made < 5, $"{made} of 20 layers made after the client went away");
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

    // Refuses synchronous writes and flushes, as Kestrel does unless AllowSynchronousIO is set; counts the writes, and
    // fails those after FailAfter.
    private sealed class AsynchronousOnlyStream : Stream
    {
        private readonly MemoryStream _written = new();

        public int Writes { get; private set; }
        public int FailAfter { get; init; } = int.MaxValue;

        public byte[] ToArray() => _written.ToArray();

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous write");
        public override void Flush() => throw new InvalidOperationException("synchronous flush");
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Writes == FailAfter) throw new IOException("the client went away");
            Writes++;
            _written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written.Length;
        public override long Position { get => _written.Length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
