using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Web;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// The commands beyond show and layers on a URL: what reads works as by path (stats, tensors, diff, serve), what needs
/// the file on disk (edit, prune, act) is refused with a clear message and exit 2.
/// </summary>
[Collection(RemoteCollection.Name)]
public class RemoteCommandTests
{
    private const string File = "pytorch/seed_lstm.pt";

    [Fact]
    public async Task Tensors_stats_and_diff_by_URL_print_what_they_print_by_path()
    {
        await using var server = await RangeServer.Start();
        string url = server.Url($"f/{File}"), path = Fixtures.Path(File);

        SameRun.Assert(CliRun.Of("tensors", path, "--json"), CliRun.Of("tensors", url, "--json"));
        SameRun.Assert(CliRun.Of("stats", path, "--json"), CliRun.Of("stats", url, "--json"));
        SameRun.Assert(CliRun.Of("diff", path, path, "--json"), CliRun.Of("diff", url, path, "--json"));
    }

    [Fact]
    public async Task Track_reads_checkpoints_by_URL_as_by_path_with_the_step_from_the_URLs_name()
    {
        // Given two checkpoints of the fixture run, served over HTTP
        await using var server = await RangeServer.Start();
        string[] names = ["track/run/step_10.pt", "track/run/step_20.pt"];

        // When the run is tracked by URL and by path
        var byUrl = CliRun.Of(["track", .. names.Select(n => server.Url($"f/{n}")), "--csv", "-"]);
        var byPath = CliRun.Of(["track", .. names.Select(Fixtures.Path), "--csv", "-"]);

        // Then the rows are the same, save the checkpoint column, and the steps come from the URLs' names
        Assert.True(byUrl.Exit == 0, byUrl.Stderr);
        string[] urlRows = byUrl.Stdout.TrimEnd('\n').Split('\n'), pathRows = byPath.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(pathRows.Length, urlRows.Length);
        Assert.Equal(pathRows.Select(r => r[r.IndexOf(',')..]), urlRows.Select(r => r[r.IndexOf(',')..]));
        Assert.StartsWith(server.Url("f/track/run/step_10.pt") + ",10,", urlRows[1]);
    }

    [Theory]
    [InlineData("edit", "--zero", "--in-place")]
    [InlineData("edit", "--zero", "-o", "OUT")]
    [InlineData("prune", "-o", "OUT")]
    public async Task Edit_and_prune_of_a_URL_are_refused_with_a_hint_to_download_it(string command, params string[] options)
    {
        // Given a checkpoint served over HTTP
        await using var server = await RangeServer.Start();
        string output = Path.Combine(server.Folder, "out.pt");

        // When it is edited or pruned by URL
        var run = CliRun.Of([command, server.Url($"f/{File}"), "rnn", "2", .. options.Select(o => o == "OUT" ? output : o)]);

        // Then it is refused as a request, nothing is written, and the hint says what to do
        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: seed_lstm.pt was opened by URL", run.Stderr);
        Assert.Contains("hint: download it first", run.Stderr);
        Assert.False(System.IO.File.Exists(output));
    }

    [Fact]
    public async Task Act_on_a_URL_is_refused_because_ONNX_Runtime_reads_a_local_file()
    {
        await using var server = await RangeServer.Start();

        var run = CliRun.Of("act", server.Url("f/onnx/external.onnx"), "x", "0", "--input", Fixtures.Path("activations/bilstm_x.npy"));

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: external.onnx was opened by URL, and run needs it as a local file", run.Stderr);
    }

    [Fact]
    public async Task Serve_answers_for_a_URL_what_the_CLI_prints_by_path()
    {
        // Given neuron serve started on a URL
        await using var server = await RangeServer.Start();
        await using var served = await ServedFolder.Start([server.Url($"f/{File}")]);

        // When its API is asked for layers and a neuron
        var (layersStatus, layers) = await served.Get("/api/layers?file=seed_lstm.pt");
        var (showStatus, show) = await served.Get("/api/show?file=0&layer=rnn&neuron=2");

        // Then it answers exactly what the CLI prints for the file by path
        Assert.Equal(200, layersStatus);
        Assert.Equal(200, showStatus);
        Assert.Equal(CliRun.Of("layers", Fixtures.Path(File), "--json").Stdout.TrimEnd(), layers.TrimEnd());
        Assert.Equal(CliRun.Of("show", Fixtures.Path(File), "rnn", "2", "--json").Stdout.TrimEnd(), show.TrimEnd());
    }

    [Fact]
    public async Task Serve_opens_a_URL_again_after_a_failure_instead_of_answering_that_failure_until_restarted()
    {
        // Given neuron serve started on a URL whose file is not on the server yet (or a host that is down for a while)
        await using var server = await RangeServer.Start();
        await using var served = await ServedFolder.Start([server.Url("t/late.safetensors")]);
        var (missingStatus, missing) = await served.Get("/api/layers?file=0");

        // When the file appears and the page asks again
        System.IO.File.Copy(Fixtures.Path("safetensors/seed_linear.safetensors"), Path.Combine(server.Folder, "late.safetensors"));
        var (status, layers) = await served.Get("/api/layers?file=0");

        // Then the first answer was the failure, and the second is the file's
        Assert.Equal(422, missingStatus);
        Assert.Contains("late.safetensors does not exist (HTTP 404", missing);
        Assert.Equal(200, status);
        Assert.Equal(CliRun.Of("layers", Fixtures.Path("safetensors/seed_linear.safetensors"), "--json").Stdout.TrimEnd(),
            layers.TrimEnd().Replace("late.safetensors", "seed_linear.safetensors"));
    }

    [Fact]
    public async Task Serve_reads_a_file_changed_on_the_server_afresh_from_the_request_after_the_one_that_found_the_change()
    {
        // Given neuron serve started on the URL of the 64 MiB file, one neuron of it shown
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        await using var served = await ServedFolder.Start([server.Url("t/big.safetensors")]);
        var (firstStatus, _) = await served.Get("/api/show?file=0&layer=fc&neuron=10");

        // When the file is replaced on the server (same length, a new ETag) and a neuron not yet read is asked for, twice
        LargeSafetensors.Write(server.Folder, salt: 1);
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var (changedStatus, changed) = await served.Get("/api/show?file=0&layer=fc&neuron=4000");
        var (status, show) = await served.Get("/api/show?file=0&layer=fc&neuron=4000");

        // Then the request that found the change says so, and the next answers what the CLI prints for the new file
        Assert.Equal(200, firstStatus);
        Assert.Equal(422, changedStatus);
        Assert.Contains("big.safetensors changed on the server while it was being read", changed);
        Assert.Equal(200, status);
        Assert.Equal(CliRun.Of("show", path, "fc", "4000", "--json").Stdout.TrimEnd(), show.TrimEnd());
    }

    [Fact]
    public async Task Serve_with_a_base_reads_a_base_changed_on_the_server_afresh_from_the_request_after_the_one_that_found_the_change()
    {
        // Given neuron serve started on a LoRA adapter merged into the 64 MiB base read by URL, one neuron of it shown
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        string adapter = LargeSafetensors.WriteAdapter(Path.Combine(server.Folder, "adapter"));
        await using var served = await ServedFolder.Start([adapter], loraBase: server.Url("t/big.safetensors"));
        var (firstStatus, _) = await served.Get("/api/show?file=0&layer=fc&neuron=10");

        // When the base is replaced on the server (same length, a new ETag) and a neuron not yet read is asked for, twice
        LargeSafetensors.Write(server.Folder, salt: 1);
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var (changedStatus, changed) = await served.Get("/api/show?file=0&layer=fc&neuron=4000");
        var (status, show) = await served.Get("/api/show?file=0&layer=fc&neuron=4000");

        // Then the request that found the change says so, and the next answers what the CLI prints for the adapter over the new base
        Assert.Equal(200, firstStatus);
        Assert.Equal(422, changedStatus);
        Assert.Contains("big.safetensors changed on the server while it was being read", changed);
        Assert.Equal(200, status);
        Assert.Equal(CliRun.Of("show", adapter, "fc", "4000", "--base", path, "--json").Stdout.TrimEnd(), show.TrimEnd());
    }
}
