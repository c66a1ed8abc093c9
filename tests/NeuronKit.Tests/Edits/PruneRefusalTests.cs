using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>What cannot be pruned consistently is refused before anything is written, saying why and what would work.</summary>
public class PruneRefusalTests
{
    [Theory]
    [InlineData("graph/resblock.pt", "conv2", "0", "feeds a merge with another branch (a residual add, a gate) on its way to 'fc': the other branch would need the same channels removed, " +
        "and it is not made by layers NeuronKit can cut with them", "ablate with neuron edit --zero --outgoing instead")]
    // fc1's unit j is added to the model's input j.
    [InlineData("prune/input_residual.onnx", "/fc1/Gemm", "1", "feeds a merge with another branch (a residual add, a gate) on its way to '/fc2/Gemm': " +
        "the other branch would need the same channels removed, and it is not made by layers NeuronKit can cut with them (a model input", "ablate with neuron edit --zero --outgoing instead")]
    [InlineData("graph/grouped.pt", "0", "1", "'2' is a convolution that reads the channels of '0' in 2 groups of 4: a prune removes whole groups of them, " +
        "with the filters that read them, or the same channels of every group, and this one removes channel 1 of group 0 and none of group 1",
        "remove whole groups (channels 0..3, 4..7, …), which take the filters of '2' that read them along, or the same channel of each group (0, 4)")]
    [InlineData("prune/mlp.safetensors", "net.4", "0", "layer 'net.4' has no known consumer", "name it with --consumer LAYER")]
    [InlineData("prune/mlp.safetensors", "net.0", "0,1,2,3,4,5", "pruning all 6 neurons of 'net.0' would leave an empty layer", null)]
    [InlineData("prune/mlp.safetensors", "net.0", "6", "neuron 6 is out of range for layer 'net.0'", null)]
    // A norm's channels are its producer's outputs: cut from the norm alone, the model could not run.
    [InlineData("prune/cnn.pt", "net.1", "0", "'net.1' (BatchNorm) scales the channels 'net.0' makes: removing its channels alone would leave " +
        "that layer making them", "prune 'net.0' instead: its channels in 'net.1' go with them")]
    [InlineData("graph/cnn.onnx", "/1/BatchNormalization", "1", "'/1/BatchNormalization' (BatchNorm) scales the channels '/0/Conv' makes", "prune '/0/Conv' instead")]
    [InlineData("keras/mlp.h5", "batch_normalization", "0", "'batch_normalization' (BatchNorm) scales the channels 'dense' makes", "prune 'dense' instead")]
    // A Keras depthwise filter, kernel[…, c, m], goes with all of its channel's filters or not at all.
    [InlineData("keras/cnn.keras", "depthwise_conv2d", "1", "'depthwise_conv2d' is a depthwise convolution whose kernel [3, 3, 4, 2] keeps the 2 " +
        "filters of each input channel in one slice of dimension 2", "remove all the filters of a channel (filters 0..1, 2..3, …)")]
    // A DenseGeneral unit is one dimension of one head, kernel[:, h, d]; the consumer is named, as Flax files need.
    [InlineData("flax/attention.msgpack", "MultiHeadDotProductAttention_0.value", "3", "MultiHeadDotProductAttention_0.value.kernel[:, 0, 3] holds " +
        "this unit at one index in each of dimensions 1 and 2 of MultiHeadDotProductAttention_0.value.kernel [8, 2, 4]", "ablate it with neuron edit --zero",
        "MultiHeadDotProductAttention_0.out")]
    public void An_inconsistent_prune_is_exit_2_and_writes_nothing(string fixture, string layer, string indices, string message, string? hint, string? consumer = null)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of(["prune", Fixtures.Path(fixture), layer, indices, "-o", Path.Combine(folder.Path, "out"), .. consumer is null ? [] : new[] { "--consumer", consumer }]);

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        if (hint is not null) Assert.Contains(hint, run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_recurrent_module_shrinks_in_every_layer_and_direction_or_not_at_all()
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/rnn.safetensors"), "rnn.l0", "1", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'rnn' keeps one hidden size for all its layers and directions (rnn.l0, rnn.l0_reverse, rnn.l1, rnn.l1_reverse)", run.Stderr);
        Assert.Contains("--neurons rnn.l0:J,rnn.l0_reverse:J,rnn.l1:J,rnn.l1_reverse:J", run.Stderr);
    }

    [Fact]
    public void A_dry_run_lists_every_cut_and_writes_nothing()
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/cnn.safetensors"), "net.3", "1", "--dry-run", "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("dry_run").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("output").ValueKind);
        Assert.Equal(["net.6"], root.GetProperty("consumers").EnumerateArray().Select(c => c.GetString()));
        var cuts = root.GetProperty("tensors").EnumerateArray().ToDictionary(t => t.GetProperty("tensor").GetString()!);
        Assert.Equal("[4,6,3,3]", cuts["net.3.weight"].GetProperty("shape_before").GetRawText());
        Assert.Equal("[3,6,3,3]", cuts["net.3.weight"].GetProperty("shape_after").GetRawText());
        // Channel 1 after a flatten of 4×4 positions is the consumer's columns 16..31.
        Assert.Equal(Enumerable.Range(16, 16), cuts["net.6.weight"].GetProperty("removed").GetProperty("1").EnumerateArray().Select(i => i.GetInt32()));
    }

    [Fact]
    public void A_full_disk_leaves_no_partial_file_and_the_original_untouched()
    {
        using var folder = new TempFolder();
        string fixture = Fixtures.Path("prune/rnn.safetensors");
        string before = PinnedCases.Sha(fixture);
        // A real 4 KiB file system where mount is allowed (root in CI); elsewhere a folder that does not exist fails the same way.
        using var disk = new SmallDisk(folder.Path, "4k");
        string output = disk.Mounted ? Path.Combine(disk.Path, "out.safetensors") : Path.Combine(disk.Path, "missing", "out.safetensors");

        var run = CliRun.Of("prune", fixture, "--neurons", "rnn.l0:1,rnn.l0_reverse:1,rnn.l1:1,rnn.l1_reverse:1", "--consumer", "fc", "-o", output);

        Assert.Equal(3, run.Exit);
        Assert.Contains("cannot be written", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(disk.Path));
        Assert.Equal(before, PinnedCases.Sha(fixture));
    }
}
