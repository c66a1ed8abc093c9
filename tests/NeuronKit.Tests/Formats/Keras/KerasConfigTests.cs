using NeuronKit.Formats.Keras;

namespace NeuronKit.Tests.Formats.Keras;

/// <summary>What a Keras model config says of each layer's inputs: Keras 2's and Keras 3's inbound nodes, a shared layer's calls.</summary>
public class KerasConfigTests
{
    [Fact]
    public void Keras_2_inbound_nodes_name_the_layers_each_call_reads_in_order_each_once()
    {
        var config = KerasConfig.Parse("""
            {"class_name": "Functional", "config": {"layers": [
              {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 5, 7]}, "name": "in", "inbound_nodes": []},
              {"class_name": "Dense", "config": {"name": "shared"}, "name": "shared", "inbound_nodes": [[["in", 0, 0, {}]], [["other", 0, 0, {}]]]},
              {"class_name": "Add", "config": {"name": "add"}, "name": "add", "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}], ["in", 0, 0, {}]]]}]}}
            """, "test.h5")!;

        Assert.Equal([0, 2, 1], config.Layers.Select(l => l.Calls));
        Assert.Equal(["in", "other"], config.Find("shared")!.Inbound!);
        Assert.Equal(["shared", "in"], config.Find("add")!.Inbound!);
        Assert.Empty(config.Find("in")!.Inbound!);
        Assert.Equal(7L, config.Find("in")!.InputChannels());
        Assert.Null(config.Find("add")!.InputChannels());
    }

    [Fact]
    public void Keras_3_inbound_nodes_name_the_layers_of_the_tensors_among_a_call_s_arguments()
    {
        var config = KerasConfig.Parse("""
            {"class_name": "Functional", "config": {"layers": [
              {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [null, 3]}, "name": "x", "inbound_nodes": []},
              {"class_name": "Concatenate", "config": {"name": "joined", "axis": -1}, "name": "joined", "inbound_nodes": [{"args": [[
                {"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "keras_history": ["x", 0, 0]}},
                {"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "keras_history": ["left", 0, 0]}}]],
                "kwargs": {"mask": {"class_name": "__keras_tensor__", "config": {"keras_history": ["ignored", 0, 0]}}}}]}]}}
            """, "config.json")!;

        var joined = config.Find("joined")!;
        Assert.Equal(["x", "left"], joined.Inbound!);
        Assert.Equal((1, -1L), (joined.Calls, joined.Integer("axis")));
        Assert.Equal(3L, config.Find("x")!.InputChannels());
    }

    [Fact]
    public void A_sequential_config_s_layers_have_no_inbound_nodes()
    {
        var config = KerasConfig.Parse("""{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"name": "d"}}]}}""", "x.h5")!;

        Assert.Null(Assert.Single(config.Layers).Inbound);
    }

    [Theory]
    [InlineData("""{"class_name": "Conv2D", "config": {"name": "c", "data_format": "channels_last"}}""", null)]
    [InlineData("""{"class_name": "Conv2D", "config": {"name": "c", "data_format": "channels_first"}}""", "c")]
    // Keras 1 named the layout dim_ordering: th (Theano's) kept channels first, tf last.
    [InlineData("""{"class_name": "Convolution2D", "config": {"name": "c", "dim_ordering": "th"}}""", "c")]
    [InlineData("""{"class_name": "Sequential", "config": {"name": "inner", "layers": [{"class_name": "MaxPooling2D", "config": {"name": "p", "data_format": "channels_first"}}]}}""", "p")]
    public void A_layer_at_any_depth_whose_data_format_keeps_channels_first_is_found(string layer, string? found)
    {
        var config = KerasConfig.Parse($$$"""{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"name": "d"}}, {{{layer}}}]}}""", "x.h5")!;

        Assert.Equal(found, config.ChannelsFirst?.Name);
    }
}
