using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Web;

namespace NeuronKit.Tests.Web;

/// <summary>/api/npz answers the archive <c>neuron show -o OUT.npz</c> writes for the same neuron, byte for byte, as a download.</summary>
public class NpzApiTests
{
    [Theory]
    [InlineData("graph/cnn.pt", "0", "1", "outgoing=true", "0_1.npz")]
    [InlineData("pytorch/seed_lstm.pt", "rnn.l0", "-1", "", "rnn.l0_19.npz")]
    [InlineData("onnx/rnns.onnx", "/lstm/LSTM.reverse", "3", "", "_lstm_LSTM.reverse_3.npz")]
    public async Task A_neurons_archive_is_the_one_the_CLI_writes(string fixture, string layer, string index, string query, string name)
    {
        // Given a served file, and the archive the CLI writes of one of its neurons
        string file = Fixtures.Path(fixture);
        await using var served = await ServedFolder.Start([file]);
        using var folder = new TempFolder();
        string npz = Path.Combine(folder.Path, "cli.npz");
        string[] outgoing = query.Length > 0 ? ["--outgoing"] : [];
        var cli = CliRun.Of(["show", file, layer, index, "-o", npz, .. outgoing]);

        // When the server is asked for it
        using var response = await served.Client.GetAsync($"/api/npz?file=0&layer={Uri.EscapeDataString(layer)}&neuron={index}&{query}");

        // Then it answers the same bytes, as a file to save
        Assert.True(cli.Exit == 0, cli.Stderr);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(name, response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(File.ReadAllBytes(npz), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_wrong_or_too_large_request_says_why()
    {
        await using var served = await ServedFolder.Start([Fixtures.PyTorch("seed_conv.pt")], ServeOptions.Local with { MaxValues = 20 });

        var (missing, missingBody) = await served.Get("/api/npz?file=0&layer=fc");
        var (tooLarge, tooLargeBody) = await served.Get("/api/npz?file=0&layer=conv1&neuron=3");
        var (fits, _) = await served.Get("/api/npz?file=0&layer=fc&neuron=3");

        Assert.Equal(400, missing);
        Assert.Contains("the request has no neuron=: add it", missingBody);
        Assert.Equal(413, tooLarge);
        Assert.Contains("neuron show FILE LAYER INDEX -o OUT.npz", tooLargeBody);
        Assert.Equal(200, fits);
    }
}
