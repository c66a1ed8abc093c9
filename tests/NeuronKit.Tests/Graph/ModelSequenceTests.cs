using NeuronKit.Formats;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// Consumers from a model's config (a Keras Sequential's order, a Functional model's inbound nodes) over layers built in
/// memory: where a concatenation puts each input's channels, what a merge marks, and each layer that ends a path saying
/// why. keras/expected_outgoing.json proves the same rules by forward passes on real Keras layouts.
/// </summary>
public class ModelSequenceTests
{
    private static SequenceStep Step(string name, string cls, params string[] inputs) => new(name, cls) { Inputs = inputs };

    // left [4, 3] and right [5, 3] (PyTorch's [out, in]), each reading the input x of 3 channels.
    private static CheckpointBuilder TwoBranches() => new CheckpointBuilder()
        .Tensor("left.weight", 4, 3).Tensor("right.weight", 5, 3)
        .Step(new SequenceStep("x", "InputLayer") { Inputs = [], Channels = 3 })
        .Step(Step("left", "Dense", "x")).Step(Step("right", "Dense", "x"));

    [Fact]
    public void A_concatenation_puts_each_input_s_channels_after_those_of_the_inputs_before_it()
    {
        using var model = TwoBranches().Tensor("head.weight", 2, 12)
            .Step(Step("joined", "Concatenate", "x", "left", "right")).Step(Step("head", "Dense", "joined")).Model();

        var left = Assert.Single(model.Graph.ConsumersOf(model.Layer("left")));
        var right = Assert.Single(model.Graph.ConsumersOf(model.Layer("right")));

        Assert.Equal(("head", 3L, 7L), (left.Consumer.Name, left.Map.Offset, right.Map.Offset));
        Assert.False(left.Residual);
        Assert.Contains("left → joined (Concatenate) → head", left.Evidence[0]);
        Assert.Equal("3 of them come before left's: its unit j is input 3 + j", left.Evidence[^1]);
        Assert.Equal("[:, 10]", model.Graph.WithOutgoing(model.Neuron("right", 3)).Parts[^1].Index);
    }

    [Fact]
    public void A_flatten_of_a_Dense_over_a_sequence_interleaves_its_units_and_one_after_a_global_pooling_keeps_them()
    {
        using var model = new CheckpointBuilder()
            .Tensor("seq.weight", 3, 5).Tensor("seq_head.weight", 2, 12).Tensor("conv.kernel", 3, 3, 1, 4).Tensor("conv.bias", 4)
            .Class("conv", "keras.Conv2D").Tensor("head.weight", 2, 4)
            .Step(new SequenceStep("x", "InputLayer") { Inputs = [] }).Step(Step("seq", "Dense", "x"))
            .Step(Step("seq_flat", "Flatten", "seq")).Step(Step("seq_head", "Dense", "seq_flat"))
            .Step(new SequenceStep("image", "InputLayer") { Inputs = [] }).Step(Step("conv", "Conv2D", "image"))
            .Step(Step("pooled", "GlobalAveragePooling2D", "conv")).Step(Step("flat", "Flatten", "pooled")).Step(Step("head", "Dense", "flat"))
            .Model();

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("seq", 1)));
        var pooled = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv")));

        Assert.Contains("a Flatten of seq's channels-last output interleaves its channels: channel j is inputs j, j + 3, … of seq_head", refused.Message);
        Assert.Equal(("head", 0L, 1L), (pooled.Consumer.Name, pooled.Map.Offset, pooled.Map.Spread));
        Assert.Equal("[:, 2]", model.Graph.WithOutgoing(model.Neuron("conv", 2)).Parts[^1].Index);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Subtract")]
    [InlineData("Average")]
    public void A_merge_of_two_branches_passes_channel_j_on_and_marks_the_edge_residual(string merge)
    {
        using var model = new CheckpointBuilder().Tensor("left.weight", 4, 3).Tensor("right.weight", 4, 3).Tensor("head.weight", 2, 4)
            .Step(new SequenceStep("x", "InputLayer") { Inputs = [] })
            .Step(Step("left", "Dense", "x")).Step(Step("right", "Dense", "x"))
            .Step(Step("merged", merge, "left", "right")).Step(Step("relu", "ReLU", "merged")).Step(Step("head", "Dense", "relu")).Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("right")));

        Assert.Equal(("head", 0L, true), (edge.Consumer.Name, edge.Map.Offset, edge.Residual));
        Assert.Contains($"right → merged ({merge}) → relu (ReLU) → head", edge.Evidence[0]);
    }

    [Theory]
    [InlineData("Multiply")]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    public void A_gate_or_a_maximum_of_two_branches_passes_channel_j_on_shared_with_the_other_branch(string merge)
    {
        using var model = new CheckpointBuilder().Tensor("value.weight", 4, 3).Tensor("gate.weight", 4, 3).Tensor("head.weight", 2, 4)
            .Step(new SequenceStep("x", "InputLayer") { Inputs = [] })
            .Step(Step("value", "Dense", "x")).Step(Step("gate", "Dense", "x")).Step(Step("sigmoid", "Activation", "gate"))
            .Step(Step("merged", merge, "value", "sigmoid")).Step(Step("head", "Dense", "merged")).Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("gate")));

        Assert.Equal(("head", 0L, true), (edge.Consumer.Name, edge.Map.Offset, edge.Residual));
        Assert.Contains($"gate → sigmoid (Activation) → merged ({merge}) → head", edge.Evidence[0]);
        Assert.Equal($"on the way a {merge} joins gate's output with another branch's, channel by channel: head's weights for its unit j read that branch's channel j too",
            edge.Evidence[^1]);
    }

    [Theory]
    [InlineData("Dot", "merged (Dot) reads it, and NeuronKit does not follow channels through Dot")]
    [InlineData("Lambda", "merged (Lambda) reads it, and NeuronKit does not follow channels through Lambda")]
    [InlineData("Softmax", "merged (Softmax) reads it")]
    public void A_layer_that_mixes_channels_or_runs_code_ends_the_path_saying_so(string cls, string why)
    {
        using var model = TwoBranches().Tensor("head.weight", 2, 4)
            .Step(Step("merged", cls, "left", "right")).Step(Step("head", "Dense", "merged")).Model();

        Assert.Empty(model.Graph.ConsumersOf(model.Layer("left")));
        Assert.Contains(why, model.Graph.WhyNoConsumer(model.Layer("left")));
    }

    [Fact]
    public void A_sequential_model_no_longer_passes_an_unknown_layer_without_weights()
    {
        using var model = new CheckpointBuilder().Tensor("first.weight", 4, 3).Tensor("second.weight", 2, 4)
            .Step(new SequenceStep("first", "Dense")).Step(new SequenceStep("permute", "Permute")).Step(new SequenceStep("dropout", "Dropout"))
            .Step(new SequenceStep("second", "Dense")).Model();

        Assert.Equal("permute (Permute) reads it, and NeuronKit does not follow channels through Permute", model.Graph.WhyNoConsumer(model.Layer("first")));
    }

    [Fact]
    public void A_concatenation_on_another_axis_called_twice_or_of_an_uncounted_input_is_not_followed()
    {
        static string Why(SequenceStep joined, long? inputChannels = 3)
        {
            using var model = new CheckpointBuilder().Tensor("left.weight", 4, 3).Tensor("head.weight", 2, 7)
                .Step(new SequenceStep("x", "InputLayer") { Inputs = [], Channels = inputChannels })
                .Step(Step("left", "Dense", "x")).Step(joined).Step(Step("head", "Dense", "joined")).Model();
            Assert.Empty(model.Graph.ConsumersOf(model.Layer("left")));
            return model.Graph.WhyNoConsumer(model.Layer("left"));
        }

        Assert.Equal("joined (Concatenate) joins its inputs on axis 1, and NeuronKit follows channels through a concatenation of the last axis only",
            Why(Step("joined", "Concatenate", "x", "left") with { Axis = 1 }));
        Assert.Equal("joined (Concatenate) is called more than once, and its config does not say which call's inputs come first",
            Why(Step("joined", "Concatenate", "x", "left") with { Shared = true }));
        Assert.Equal("joined (Concatenate) reads x, whose channels NeuronKit cannot count from the model's config, so where the others' land is unknown",
            Why(Step("joined", "Concatenate", "x", "left"), inputChannels: null));
        // The same model with the input counted and the last axis joined once: left's unit j is input 3 + j of head.
        using var counted = new CheckpointBuilder().Tensor("left.weight", 4, 3).Tensor("head.weight", 2, 7)
            .Step(new SequenceStep("x", "InputLayer") { Inputs = [], Channels = 3 })
            .Step(Step("left", "Dense", "x")).Step(Step("joined", "Concatenate", "x", "left")).Step(Step("head", "Dense", "joined")).Model();
        Assert.Equal(3L, Assert.Single(counted.Graph.ConsumersOf(counted.Layer("left"))).Map.Offset);
    }

    [Fact]
    public void A_config_whose_layers_read_each_other_in_a_cycle_ends_and_says_what_it_found()
    {
        using var model = new CheckpointBuilder().Tensor("first.weight", 4, 3)
            .Step(new SequenceStep("x", "InputLayer") { Inputs = [] })
            .Step(Step("first", "Dense", "x")).Step(Step("a", "Activation", "first", "b")).Step(Step("b", "Dropout", "a")).Model();

        Assert.Empty(model.Graph.ConsumersOf(model.Layer("first")));
        Assert.Equal("the model's config names no layer that reads its output", model.Graph.WhyNoConsumer(model.Layer("first")));
    }

    [Fact]
    public void A_nested_model_s_layers_are_neither_followed_into_nor_out_of()
    {
        using var model = TwoBranches().Tensor("inner.dense.weight", 2, 4).Tensor("inner.dense_1.weight", 2, 2)
            .Step(Step("inner", "Sequential", "left")).Model();

        Assert.Equal("inner, a Sequential nested in the model, reads it, and NeuronKit does not follow a nested model's layers",
            model.Graph.WhyNoConsumer(model.Layer("left")));
        Assert.Equal("it is a layer of inner, a Sequential nested in the model, and NeuronKit does not follow a nested model's layers",
            model.Graph.WhyNoConsumer(model.Layer("inner.dense")));
    }

    [Theory]
    [InlineData("concat", 0L, 4L, false, 8L)]
    [InlineData("sum", 0L, 0L, true, 4L)]
    [InlineData("ave", 0L, 0L, true, 4L)]
    public void A_bidirectional_s_directions_are_read_concatenated_or_added_unit_by_unit_as_its_merge_mode_says(
        string merge, long forward, long backward, bool residual, long width)
    {
        using var model = new CheckpointBuilder().Tensor("bi.forward_lstm.weight", 4, 3).Tensor("bi.backward_lstm.weight", 4, 3)
            .Tensor("head.weight", 2, width)
            .Step(new SequenceStep("bi", "Bidirectional") { Merge = merge }).Step(new SequenceStep("head", "Dense")).Model();

        var edges = new[] { "bi.forward_lstm", "bi.backward_lstm" }.Select(d => Assert.Single(model.Graph.ConsumersOf(model.Layer(d)))).ToList();

        Assert.Equal([(forward, residual), (backward, residual)], edges.Select(e => (e.Map.Offset, e.Residual)));
        Assert.All(edges, e => Assert.Equal("head", e.Consumer.Name));
    }

    [Theory]
    [InlineData("mul")]
    [InlineData("none")]
    public void A_bidirectional_that_multiplies_or_lists_its_directions_is_not_followed(string merge)
    {
        using var model = new CheckpointBuilder().Tensor("bi.forward_lstm.weight", 4, 3).Tensor("bi.backward_lstm.weight", 4, 3)
            .Tensor("head.weight", 2, 4)
            .Step(new SequenceStep("bi", "Bidirectional") { Merge = merge }).Step(new SequenceStep("head", "Dense")).Model();

        Assert.Equal($"bi joins its two directions' outputs by merge_mode {merge}, and NeuronKit follows only a concatenation, a sum or an average of them",
            model.Graph.WhyNoConsumer(model.Layer("bi.backward_lstm")));
    }

    [Fact]
    public void The_last_layer_of_a_functional_model_says_its_output_is_the_model_s()
    {
        using var model = TwoBranches().Step(Step("act", "Activation", "right")).Model();

        Assert.Equal("its output is an output of the model", model.Graph.WhyNoConsumer(model.Layer("left")));
        Assert.Equal("act's output is an output of the model", model.Graph.WhyNoConsumer(model.Layer("right")));
    }
}
