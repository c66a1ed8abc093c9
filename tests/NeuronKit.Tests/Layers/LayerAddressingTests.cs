
namespace NeuronKit.Tests.Layers;

public class LayerAddressingTests
{
    private static Model Sequential() => new CheckpointBuilder()
        .Tensor("0.weight", 5, 3).Tensor("0.bias", 5).Tensor("fc.weight", 2, 5).Tensor("fc.bias", 2).Model();

    private static CheckpointBuilder Gru(CheckpointBuilder builder, params string[] suffixes)
    {
        foreach (string suffix in suffixes)
            builder.Tensor($"gru.weight_ih{suffix}", 6, 2).Tensor($"gru.weight_hh{suffix}", 6, 2);
        return builder;
    }

    [Fact]
    public void A_layer_is_found_by_its_name_or_any_of_its_tensor_names()
    {
        using var model = Sequential();

        Assert.Equal("fc", model.Layer("fc").Name);
        Assert.Equal("fc", model.Layer("fc.weight").Name);
        Assert.Equal("0", model.Layer("0.bias").Name);
    }

    [Fact]
    public void A_layer_without_neurons_says_so_and_which_tensor_is_empty()
    {
        // Given a Linear layer whose weight has no rows
        using var model = new CheckpointBuilder().Tensor("x.weight", 0, 5).Tensor("x.bias", 0).Model();

        // When any neuron of it is asked for
        var layer = model.Layer("x");
        var error = Assert.Throws<RequestException>(() => layer.Neuron(0));

        // Then the error says the layer is empty, not that 0 is out of a range 0..-1
        Assert.Equal(0, layer.NeuronCount);
        Assert.Equal("weight is [0, 5]", layer.WhyNoNeurons);
        Assert.Equal("layer 'x' (Linear) has no neurons: weight is [0, 5]", error.Message);
        Assert.Equal(2, error.ExitCode);
        Assert.Throws<RequestException>(() => layer.Neuron(-1));
        using var sequential = Sequential();
        Assert.Null(sequential.Layer("fc").WhyNoNeurons);
    }

    [Fact]
    public void An_index_out_of_range_names_the_range_both_ways()
    {
        using var model = Sequential();

        var error = Assert.Throws<RequestException>(() => model.Neuron("0", 5));

        Assert.Equal("neuron 5 is out of range for layer '0' (Linear, 5 neurons: 0..4, or -5..-1)", error.Message);
        Assert.Equal(2, error.ExitCode);
        Assert.Equal(4, model.Neuron("0", -1).Index);
    }

    [Fact]
    public void A_recurrent_module_with_one_sub_layer_resolves_to_it()
    {
        using var model = Gru(new CheckpointBuilder(), "_l0").Model();

        Assert.Equal("gru.l0", model.Layer("gru").Name);
        Assert.Equal("gru.l0", model.Layer("gru.weight_hh_l0").Name);
    }

    [Fact]
    public void A_recurrent_module_with_several_sub_layers_is_ambiguous_and_the_error_names_them()
    {
        using var model = Gru(new CheckpointBuilder(), "_l0", "_l0_reverse", "_l1", "_l1_reverse").Model();

        var error = Assert.Throws<RequestException>(() => model.Layer("gru"));

        Assert.Equal("'gru' has 4 sub-layers: gru.l0, gru.l0_reverse, gru.l1, gru.l1_reverse", error.Message);
        Assert.Equal("gru.l1_reverse", model.Layer("gru.l1_reverse").Name);
    }

    [Fact]
    public void An_unknown_layer_suggests_the_closest_name()
    {
        using var model = Sequential();

        var error = Assert.Throws<RequestException>(() => model.Layer("fc9"));

        Assert.Equal("no layer 'fc9'", error.Message);
        Assert.Equal(["did you mean 'fc'?"], error.Hints);
    }

    [Fact]
    public void Names_that_start_with_what_was_typed_are_suggested_too()
    {
        using var model = new CheckpointBuilder().Tensor("encoder.layer.0.weight", 2, 2).Tensor("encoder.layer.1.weight", 2, 2)
            .Tensor("fc.weight", 2, 2).Model();

        var error = Assert.Throws<RequestException>(() => model.Layer("enc"));

        Assert.Equal(["did you mean 'encoder.layer.0' or 'encoder.layer.1'?"], error.Hints);
    }

    [Fact]
    public void An_unknown_layer_with_nothing_close_lists_a_few_layers()
    {
        var builder = new CheckpointBuilder();
        for (int i = 0; i < 7; i++) builder.Tensor($"block{i}.weight", 2, 2);
        using var model = builder.Model();

        var error = Assert.Throws<RequestException>(() => model.Layer("attention"));

        Assert.Equal(["layers: 'block0', 'block1', 'block2', 'block3', 'block4', … (7 in all; `neuron layers` lists them)"], error.Hints);
    }

    [Fact]
    public void A_training_checkpoint_layer_is_found_without_its_shared_prefix()
    {
        using var model = new CheckpointBuilder()
            .Tensor("model_state_dict.fc.weight", 2, 3).Tensor("model_state_dict.fc.bias", 2)
            .Tensor("model_state_dict.rnn.weight_ih_l0", 2, 3).Tensor("model_state_dict.rnn.weight_hh_l0", 2, 2)
            .Tensor("optimizer_state_dict.state.0.exp_avg", 2, 3).NonLayer("optimizer_state_dict").Model();

        Assert.Equal("model_state_dict.fc", model.Layer("fc").Name);
        Assert.Equal("model_state_dict.fc", model.Layer("fc.bias").Name);
        Assert.Equal("model_state_dict.rnn.l0", model.Layer("rnn").Name);
        Assert.Equal("model_state_dict.fc", model.Layer("model_state_dict.fc").Name);
        var error = Assert.Throws<RequestException>(() => model.Layer("fx"));
        Assert.Equal(["did you mean 'fc'?"], error.Hints);
    }

    [Fact]
    public void A_name_under_a_non_layer_prefix_is_refused_as_optimizer_state()
    {
        using var model = new CheckpointBuilder().Tensor("model_state_dict.fc.weight", 2, 3)
            .Tensor("optimizer_state_dict.state.0.exp_avg", 2, 3).NonLayer("optimizer_state_dict").Model();

        var error = Assert.Throws<RequestException>(() => model.Layer("optimizer_state_dict.state.0.exp_avg"));

        Assert.Equal("'optimizer_state_dict.state.0.exp_avg' is under 'optimizer_state_dict', which holds optimizer state, not a layer",
            error.Message);
    }

    [Fact]
    public void Layout_in_out_rereads_a_square_Linear_by_columns()
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 3).Tensor("fc.bias", 3).Model();

        var layer = model.Layer("fc", layout: "in,out");
        var weight = model.Neuron("fc", 1, kind: "Linear(in, out)").Part("weight")!;

        Assert.Equal(("Linear", "(in, out)", false), (layer.Kind, layer.Layout, layer.Assumed));
        Assert.Equal("--layout in,out (asked for)", layer.Evidence[0]);
        Assert.Equal("[:, 1]", weight.Index);
        Assert.Equal([1.0, 4, 7], weight.ToDoubles());
    }

    [Fact]
    public void Kind_is_case_insensitive_and_keeps_the_layer_name()
    {
        using var model = new CheckpointBuilder().Tensor("up.weight", 4, 4, 3, 3).Tensor("up.bias", 4).Model();

        var layer = model.Layer("up.weight", "convtranspose2d");

        Assert.Equal(("up", "ConvTranspose2d", 4L), (layer.Name, layer.Kind, layer.NeuronCount));
    }

    [Fact]
    public void A_fallback_tensor_can_be_read_as_a_Linear()
    {
        using var model = new CheckpointBuilder().Tensor("proj", 2, 3).Model();

        var layer = model.Layer("proj", "Linear");

        Assert.Equal(("proj", "Linear", 2L), (layer.Name, layer.Kind, layer.NeuronCount));
    }

    [Theory]
    [InlineData("Conv2d", null, "layer 'fc' cannot be read as Conv2d: Conv2d needs a rank-4 weight [out, in/groups, kH, kW], and fc.weight is [3, 4]")]
    [InlineData("Embedding", null, "layer 'fc' cannot be read as Embedding: Embedding has no tensor like fc.bias (it reads weight)")]
    [InlineData("LSTM", null, "layer 'fc' cannot be read as LSTM: LSTM has no tensor like fc.weight (it reads weight_ih, weight_hh, bias_ih, bias_hh, weight_hr with PyTorch's _l{k}[_reverse] suffixes)")]
    [InlineData("Linear", "in,out", "layer 'fc' cannot be read as Linear: fc.bias is [3], but a (in, out) weight [3, 4] needs a bias of [4]")]
    [InlineData("Conv2d(in,out)", null, "a layout applies to Linear only; Conv2d has a single layout")]
    [InlineData("Conv2d(groups=2)", null, "groups do not change Conv2d's neurons: filter j is weight[j] whatever the groups")]
    [InlineData("Linear(out,in)", "in,out", "--kind Linear(out,in) and --layout in,out disagree")]
    [InlineData(null, "rows", "--layout takes in,out or out,in, not 'rows'")]
    [InlineData("Linear[3]", null, "--kind takes a kind name with optional arguments, like Linear(in,out) or ConvTranspose2d(groups=2), not 'Linear[3]'")]
    public void A_kind_that_does_not_fit_is_refused_with_the_reason(string? kind, string? layout, string message)
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 4).Tensor("fc.bias", 3).Model();

        var error = Assert.Throws<RequestException>(() => model.Layer("fc", kind, layout));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void An_unknown_kind_suggests_a_known_one()
    {
        using var model = Sequential();

        var error = Assert.Throws<RequestException>(() => model.Layer("fc", "Conv4d"));

        Assert.Equal("unknown kind 'Conv4d'", error.Message);
        Assert.Equal(["did you mean 'Conv1d', 'Conv2d' or 'Conv3d'?"], error.Hints);
    }
}
