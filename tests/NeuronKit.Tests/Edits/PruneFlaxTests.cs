using NeuronKit.Edits;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// <c>neuron prune</c> on Flax files writes the bytes make_flax.py made itself: the file read back as Flax reads one, the
/// slices deleted with numpy (the layer's, a BatchNorm's on the way, the consumer's inputs, the optimizer's moments of
/// every array cut) and written as Flax writes a tree; pinned only once a numpy forward pass of the result equals the
/// original's with the neurons ablated.
/// </summary>
public class PruneFlaxTests
{
    private const string Pinned = "flax/expected_prune.json";

    public static TheoryData<string> Cases() => [.. PinnedCases.Read(Pinned).Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pruned_file_is_the_one_numpy_wrote_as_Flax_does(string name)
    {
        using var folder = new TempFolder();

        string output = PinnedCases.Prune(PinnedCases.Named(Pinned, name), folder, "pruned.msgpack");

        Assert.Equal([output], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void The_optimizer_s_moments_of_a_cut_array_are_cut_with_it()
    {
        var run = CliRun.Of("prune", Fixtures.Path("flax/checkpoint.msgpack"), "Conv_0", "1", "--consumer", "BatchNorm_0", "--consumer", "Dense_0", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Matches(@"opt_state\.0\.mu\.Dense_0\.kernel +\[4, 5\] → \[3, 5\] +dim 0: 1", run.Stdout);
        Assert.Matches(@"opt_state\.0\.nu\.Dense_0\.kernel +\[4, 5\] → \[3, 5\] +dim 0: 1", run.Stdout);
        Assert.DoesNotContain("Dense_0.bias", run.Stdout);
    }

    [Fact]
    public void A_moment_factored_to_another_shape_is_refused_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.msgpack");

        var run = CliRun.Of("prune", Fixtures.Path("flax/factored.msgpack"), "Dense_0", "1", "--consumer", "Dense_1", "-o", output);

        Assert.Equal(2, run.Exit);
        Assert.Contains("opt_state.0.v_row.Dense_1.kernel is the optimizer's state of Dense_1.kernel but has the shape [4], not [4, 2]", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void An_array_Flax_split_into_chunks_is_not_cut()
    {
        using var model = Model.Open(Fixtures.Path("flax/chunked.msgpack"));
        var embedding = model.Checkpoint.Tensors.Single(t => t.Name == "Embed_0.embedding");

        var refused = Assert.Throws<RequestException>(() =>
            new NeuronKit.Formats.Flax.FlaxPruneWriter().Companions(model.Checkpoint, [TensorCut.Along(embedding, 1, [0])]));

        Assert.Contains("Embed_0.embedding is an array Flax split into chunks (over 2^30 bytes), which prune does not rewrite", refused.Message);
    }

    [Fact]
    public void A_per_channel_layer_named_alone_asks_for_the_layer_that_reads_after_it()
    {
        var run = CliRun.Of("prune", Fixtures.Path("flax/checkpoint.msgpack"), "Conv_0", "1", "--consumer", "BatchNorm_0", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("layer 'BatchNorm_0' (BatchNorm) passes the channels of 'Conv_0' on, one for one: name the layer that reads them after it too", run.Stderr);
    }

    [Fact]
    public void Outgoing_weights_through_a_named_batch_norm_read_its_entries_and_the_consumer_s_row()
    {
        using var model = Model.Open(Fixtures.Path("flax/checkpoint.msgpack"));

        var neuron = model.WithOutgoing(model.Neuron("Conv_0", 2), ["BatchNorm_0", "Dense_0"]);

        var outgoing = neuron.Parts.Where(p => p.Direction != NeuronKit.Neurons.PartDirection.In).Select(p => $"{p.Tensor}{p.Index}").ToList();
        Assert.Equal(["BatchNorm_0.scale[2]", "BatchNorm_0.bias[2]", "BatchNorm_0.mean[2]", "BatchNorm_0.var[2]", "Dense_0.kernel[2]"], outgoing);
    }
}
