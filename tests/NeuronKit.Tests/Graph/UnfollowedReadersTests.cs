using NeuronKit.Formats;
using NeuronKit.Stats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// A layer whose output reaches a consumer on one path and, on another, a reader NeuronKit cannot follow to one (a Softmax, a
/// Concat beside an input it cannot count): the consumer's slices are not all its outgoing weights. The graph says so, stats
/// do not call a neuron unused for the known slices alone, and prune refuses rather than leave the other reader with
/// inputs that no longer exist.
/// </summary>
public class UnfollowedReadersTests
{
    // fc1 (Gemm, 4 neurons) → Relu → fc2 (Gemm, whose weight is all zero), and the Relu's output also → READER.
    private static Model Onnx(string reader, params string[] readerInputs) => new CheckpointBuilder()
        .Tensor("fc1.weight", 4, 3).Zeros("fc2.weight", DType.Float32, 2, 4)
        .Node("Gemm", "fc1", ["x", "fc1.weight"], ["h"], ints: new() { ["transB"] = 1 })
        .Node("Relu", "relu", ["h"], ["r"])
        .Node("Gemm", "fc2", ["r", "fc2.weight"], ["y"], ints: new() { ["transB"] = 1 })
        .Node(reader, "other", ["r", .. readerInputs], ["z"])
        .Model();

    [Fact]
    public void A_second_reader_the_graph_cannot_follow_is_kept_beside_the_consumer_found()
    {
        using var model = Onnx("Softmax");

        var fc1 = model.Layer("fc1");
        Assert.Equal("fc2", Assert.Single(model.Graph.ConsumersOf(fc1)).Consumer.Name);
        Assert.Equal("Softmax node 'other' reads it, and NeuronKit does not follow channels through Softmax", model.Graph.Unfollowed(fc1));
        Assert.Null(model.Graph.Unfollowed(model.Layer("fc2")));
    }

    [Fact]
    public void A_Concat_beside_a_value_of_unknown_channels_says_which_value()
    {
        using var model = Onnx("Concat", "x");

        Assert.Equal("Concat node 'other' reads it beside x, whose channels NeuronKit cannot count, so where its own land is unknown",
            model.Graph.Unfollowed(model.Layer("fc1")));
    }

    [Fact]
    public void A_Shape_reads_no_channels()
    {
        using var model = Onnx("Shape");

        Assert.Null(model.Graph.Unfollowed(model.Layer("fc1")));
    }

    [Fact]
    public void Stats_do_not_call_a_neuron_unused_when_a_reader_they_cannot_measure_reads_it()
    {
        using var model = Onnx("Softmax");
        using var followed = Onnx("Shape");

        var stats = ModelStats.Compute(model, new StatsOptions { Outgoing = true }).Layers[0];
        var whole = ModelStats.Compute(followed, new StatsOptions { Outgoing = true }).Layers[0];

        Assert.All(stats.Neurons, n => Assert.Equal((0.0, false), (n.OutgoingL2, n.Unused)));
        Assert.All(whole.Neurons, n => Assert.Equal((0.0, true), (n.OutgoingL2, n.Unused)));
    }

    [Fact]
    public void Prune_refuses_a_layer_another_reader_would_lose_channels_of()
    {
        using var model = Onnx("Softmax");

        var e = Assert.Throws<RequestException>(() => NeuronKit.Edits.ModelPrune.Plan(model, [(model.Layer("fc1"), [1L])]));

        Assert.Equal("layer 'fc1' is also read where NeuronKit cannot follow its channels (Softmax node 'other' reads it, and NeuronKit " +
            "does not follow channels through Softmax); pruning it would leave that reader with inputs that no longer exist", e.Message);
    }

    [Fact]
    public void A_config_s_layer_read_by_a_Softmax_beside_its_consumer_is_kept_too()
    {
        using var model = new CheckpointBuilder().Tensor("dense.weight", 4, 3).Tensor("head.weight", 2, 4)
            .Step(new SequenceStep("x", "InputLayer") { Inputs = [] })
            .Step(new SequenceStep("dense", "Dense") { Inputs = ["x"] })
            .Step(new SequenceStep("head", "Dense") { Inputs = ["dense"] })
            .Step(new SequenceStep("probabilities", "Softmax") { Inputs = ["dense"] })
            .Model();

        var dense = model.Layer("dense");
        Assert.Equal("head", Assert.Single(model.Graph.ConsumersOf(dense)).Consumer.Name);
        Assert.Equal("probabilities (Softmax) reads it, and NeuronKit does not follow channels through Softmax", model.Graph.Unfollowed(dense));
    }
}
