using NeuronKit.Activations;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Web;

namespace NeuronKit.Tests.Web;

/// <summary>
/// <c>neuron serve --inputs DIR</c>: /api/top answers what <c>neuron act --inputs DIR --top K --json</c> prints, the
/// folder's pictures are served by file name only, and files that are not ONNX models have no top inputs. A model saved
/// again under the server is ranked afresh.
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
    public async Task The_top_inputs_of_a_model_saved_again_are_those_of_the_new_model()
    {
        // Given neuron serve --inputs on a copy of cnn.onnx, whose top inputs for a neuron were asked for once
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.onnx");
        File.Copy(Cnn, path);
        await using var served = await Start(path);
        const string question = "/api/top?file=0&layer=/conv1/Conv&neuron=3&post=true&k=4";
        var (_, before) = await served.Get(question);
        Assert.Equal(CliRun.Of("act", Cnn, "/conv1/Conv", "3", "--post", "--top", "4", "--inputs", Folder, "--json").Stdout, before);

        // When the model trained again is exported over the file (same graph and length, other weights)
        string retrained = Fixtures.Path("serve/cnn_retrained.onnx");
        ServedLocalFileTests.Rewrite(path, "serve/cnn_retrained.onnx");

        // Then the same question is answered as neuron act answers it for the new model, not from the old one
        var (status, after) = await served.Get(question);
        var cli = CliRun.Of("act", retrained, "/conv1/Conv", "3", "--post", "--top", "4", "--inputs", Folder, "--json");
        Assert.True(cli.Exit == 0, cli.Stderr);
        Assert.Equal(200, status);
        Assert.NotEqual(before, cli.Stdout);
        Assert.Equal(cli.Stdout, after);
    }

    [Fact]
    public void The_run_of_a_model_replaced_under_a_request_serves_that_request_and_is_disposed_when_it_is_done()
    {
        // Given a served copy of cnn.onnx ranked once with --inputs, and a request still holding that model's run
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.onnx");
        File.Copy(Cnn, path);
        using var files = new ServedFiles([path]);
        var gallery = new InputGallery(Folder, ImageOptions.Default);
        gallery.Top(files.All[0], "/conv1/Conv", 3, 4, ActivationScore.Max, post: true);
        var inFlight = files.All[0].Lease();
        var oldRun = inFlight.ActivationRun();
        var input = oldRun.ReadInputs([Path.Combine(Folder, "in0.npy")]);

        // When the model trained again is exported over the file, and the next request ranks
        ServedLocalFileTests.Rewrite(path, "serve/cnn_retrained.onnx");
        var (top, _) = gallery.Top(files.All[0], "/conv1/Conv", 3, 4, ActivationScore.Max, post: true);

        // Then it ranks as the new file ranks, while the request holding the old run still reads the old model's values
        using var retrained = ActivationRun.Open(Fixtures.Path("serve/cnn_retrained.onnx"));
        var (expected, _) = FolderActivations.Top(retrained, "/conv1/Conv", 3, gallery.Files, 4, ActivationScore.Max, post: true);
        Assert.Equal(expected.Select(a => (a.Input, a.Max)), top.Select(a => (a.Input, a.Max)));
        using var original = ActivationRun.Open(Cnn);
        Assert.Equal(original.Activations("/conv1/Conv", 3, input, post: true).Single().Values,
            oldRun.Activations("/conv1/Conv", 3, input, post: true).Single().Values);

        // And once that request is done, the old run is disposed with the old model
        inFlight.Dispose();
        Assert.Throws<ObjectDisposedException>(() => oldRun.Activations("/conv1/Conv", 3, input, post: true));
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
