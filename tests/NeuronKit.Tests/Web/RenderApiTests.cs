using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Web;

/// <summary>/api/render answers the PNG <c>neuron render</c> writes for the same request, byte for byte.</summary>
public class RenderApiTests
{
    [Theory]
    [InlineData("neuron=3&outgoing=true", "3", "3", "--outgoing")]
    [InlineData("", "0")]
    [InlineData("hist=1", "6", "--hist")]
    [InlineData("neuron=1&scale=4", "6", "1", "--scale", "4")]
    public async Task A_picture_is_the_one_the_CLI_draws(string query, params string[] args)
    {
        string file = Fixtures.Path("graph/cnn.pt");
        await using var served = await ServedFolder.Start([file]);
        using var folder = new TempFolder();
        string png = Path.Combine(folder.Path, "cli.png");
        var cli = CliRun.Of(["render", file, .. args, "-o", png]);

        using var response = await served.Client.GetAsync($"/api/render?file=0&layer={args[0]}&{query}");

        Assert.True(cli.Exit == 0, cli.Stderr);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(File.ReadAllBytes(png), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("layer=3&scale=0", "scale 0 is not a number of pixels from 1 to 256")]
    [InlineData("layer=3&neuron=1&shape=2x2", "shape '2x2' is not H,W")]
    [InlineData("layer=3&outgoing=true", "outgoing= draws a neuron's outgoing weights; add neuron=")]
    [InlineData("layer=nope", "no layer 'nope'")]
    public async Task A_wrong_picture_request_is_a_400_with_the_reason(string query, string message)
    {
        await using var served = await ServedFolder.Start([Fixtures.Path("graph/cnn.pt")]);

        var (status, body) = await served.Get($"/api/render?file=0&{query}");

        Assert.Equal(400, status);
        Assert.Contains(message, body);
    }
}
