using NeuronKit.Activations;
using NeuronKit.Tests.Cli;
using NeuronKit.Web;

namespace NeuronKit.Tests.Web;

/// <summary>
/// <c>neuron serve --inputs DIR</c>: /api/top answers what <c>neuron act --inputs DIR --top K --json</c> prints, the
/// folder's pictures are served by file name only, and files that are not ONNX models have no top inputs.
/// </summary>
public class ServeInputsTests
{
    private static readonly string Cnn = Fixtures.Path("activations/cnn.onnx");
    private static readonly string Folder = Fixtures.Path("activations/cnn_folder");

    private static Task<ServedFolder> Start(params string[] files) =>
        ServedFolder.Start(files, ServeOptions.Local with { Inputs = new InputGallery(Folder, ImageOptions.Default) });

    [Theory]
    [InlineData("/conv1/Conv", 3, "&post=true&k=3", "--post", "--top", "3")]
    [InlineData("/conv1/Conv", 0, "&by=mean", "--by", "mean")]
    [InlineData("/conv0/Conv", -1, "", "--top", "10")]
    public async Task The_top_inputs_are_the_ones_neuron_act_ranks(string layer, int neuron, string query, params string[] options)
    {
        await using var served = await Start(Cnn);

        var (status, body) = await served.Get($"/api/top?file=0&layer={Uri.EscapeDataString(layer)}&neuron={neuron}{query}");
        var cli = CliRun.Of(["act", Cnn, layer, neuron.ToString(), "--inputs", Folder, "--json", .. options]);

        Assert.True(cli.Exit == 0, cli.Stderr);
        Assert.Equal(200, status);
        Assert.Equal(cli.Stdout, body);
    }

    [Fact]
    public async Task The_folders_files_are_listed_by_name_and_a_picture_is_served_as_it_is()
    {
        await using var served = await Start(Cnn);

        var (listed, names) = await served.Get("/api/inputs");
        using var picture = await served.Client.GetAsync("/api/input?name=picture.png");

        Assert.Equal(200, listed);
        Assert.Equal("""["in0.npy","in1.npy","in2.npy","in3.npy","picture.png"]""" + "\n", names);
        Assert.Equal("image/png", picture.Content.Headers.ContentType?.MediaType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Folder, "picture.png")), await picture.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("../cnn.onnx", "is not one of the --inputs files")]
    [InlineData("../cnn_picture.png", "is not one of the --inputs files")]
    [InlineData("in0.npy", "in0.npy is not a picture")]
    public async Task Anything_but_one_of_the_folders_pictures_is_refused(string name, string message)
    {
        await using var served = await Start(Cnn);

        var (status, body) = await served.Get($"/api/input?name={Uri.EscapeDataString(name)}");

        Assert.Equal(400, status);
        Assert.Contains(message, body);
    }

    [Fact]
    public async Task A_file_that_is_not_an_ONNX_model_has_no_top_inputs_and_a_server_without_inputs_says_so()
    {
        await using var served = await Start(Cnn, Fixtures.PyTorch("seed_conv.pt"));
        await using var bare = await ServedFolder.Start([Cnn]);

        var (status, body) = await served.Get("/api/top?file=1&layer=conv1&neuron=0");
        var (none, reason) = await bare.Get("/api/top?file=0&layer=/conv1/Conv&neuron=0");

        Assert.Equal(400, status);
        Assert.Contains("run with ONNX models only", body);
        Assert.Equal(400, none);
        Assert.Contains("started without --inputs DIR", reason);
        Assert.Equal("[]\n", (await bare.Get("/api/inputs")).Body);
    }
}
