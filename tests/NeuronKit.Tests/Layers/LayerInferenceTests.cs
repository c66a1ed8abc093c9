namespace NeuronKit.Tests.Layers;

public class LayerInferenceTests
{
    [Fact]
    public void Layers_are_listed_in_the_order_their_first_tensor_appears()
    {
        // Given a Sequential whose tensors interleave: 2.weight comes before 0.bias
        using var model = new CheckpointBuilder().Tensor("2.weight", 2, 4).Tensor("0.weight", 4, 3).Tensor("0.bias", 4)
            .Tensor("2.bias", 2).Tensor("1.weight", 4).Tensor("1.bias", 4).Model();

        Assert.Equal(["2", "0", "1"], model.Layers.Select(l => l.Name));
        Assert.Equal(["2.weight", "2.bias"], model.Layer("2").Tensors.Select(t => t.Tensor.Name));
    }

    [Fact]
    public void A_bare_module_state_dict_is_one_layer_named_by_the_empty_string()
    {
        using var model = new CheckpointBuilder().Tensor("weight", 3, 2).Tensor("bias", 3).Model();

        var layer = Assert.Single(model.Layers);

        Assert.Equal(("", "Linear", 3L), (layer.Name, layer.Kind, layer.NeuronCount));
        Assert.Same(layer, model.Layer("weight"));
        Assert.Same(layer, model.Layer("bias"));
    }

    [Fact]
    public void Tensors_under_a_non_layer_prefix_are_not_layers()
    {
        using var model = new CheckpointBuilder()
            .Tensor("model_state_dict.fc.weight", 2, 3).Tensor("model_state_dict.fc.bias", 2)
            .Tensor("optimizer_state_dict.state.0.exp_avg", 2, 3).Tensor("optimizer_state_dict.state.1.exp_avg", 2)
            .NonLayer("optimizer_state_dict").Model();

        var layer = Assert.Single(model.Layers);

        Assert.Equal(("model_state_dict.fc", "Linear"), (layer.Name, layer.Kind));
    }

    [Fact]
    public void A_module_class_no_kind_reads_is_noted_and_names_and_shapes_decide()
    {
        using var model = new CheckpointBuilder().Tensor("net.weight", 3, 2).Tensor("net.bias", 3).Class("net", "__main__.MyLayer").Model();

        var layer = model.Layer("net");

        Assert.Equal("Linear", layer.Kind);
        Assert.Equal("module class __main__.MyLayer is not a layer kind NeuronKit knows; read by names and shapes instead", layer.Evidence[0]);
    }

    [Fact]
    public void A_module_class_that_does_not_fit_the_tensors_is_noted_and_names_and_shapes_decide()
    {
        // Given a class that says Conv2d over a 2-d weight
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 2).Tensor("fc.bias", 3).Class("fc", "torch.nn.modules.conv.Conv2d").Model();

        var layer = model.Layer("fc");

        Assert.Equal("Linear", layer.Kind);
        Assert.StartsWith("module class torch.nn.modules.conv.Conv2d does not fit the tensors (Conv2d needs a rank-4 weight", layer.Evidence[0]);
    }

    [Fact]
    public void Every_kind_is_inferred_from_one_checkpoint_in_file_order()
    {
        using var model = new CheckpointBuilder()
            .Tensor("embed.weight", 10, 4)
            .Tensor("conv.weight", 4, 4, 3).Tensor("conv.bias", 4)
            .Tensor("up.weight", 4, 2, 3).Tensor("up.bias", 2)
            .Tensor("bn.weight", 4).Tensor("bn.bias", 4).Tensor("bn.running_mean", 4).Tensor("bn.running_var", 4)
            .Tensor("attn.in_proj_weight", 12, 4).Tensor("attn.in_proj_bias", 12)
            .Tensor("attn.out_proj.weight", 4, 4).Tensor("attn.out_proj.bias", 4)
            .Tensor("lstm.weight_ih_l0", 16, 4).Tensor("lstm.weight_hh_l0", 16, 4)
            .Tensor("ln.weight", 4).Tensor("ln.bias", 4)
            .Tensor("fc.weight", 3, 4).Tensor("fc.bias", 3)
            .Tensor("step").Model();

        Assert.Equal(
            [("embed", "Embedding"), ("conv", "Conv1d"), ("up", "ConvTranspose1d"), ("bn", "BatchNorm"), ("attn", "MultiheadAttention"),
             ("attn.out_proj", "Linear"), ("lstm.l0", "LSTM"), ("ln", "LayerNorm"), ("fc", "Linear"), ("step", "Tensor")],
            model.Layers.Select(l => (l.Name, l.Kind)));
    }

    [Fact]
    public void Empty_and_degenerate_shapes_fall_back_without_throwing()
    {
        // Given tensors with zero-sized dims that would divide by zero if taken at face value
        using var model = new CheckpointBuilder()
            .Tensor("rnn.weight_ih_l0", 0, 3).Tensor("rnn.weight_hh_l0", 0, 0)
            .Tensor("up.weight", 4, 0, 2).Tensor("up.bias", 4)
            .Tensor("attn.in_proj_weight", 0, 2).Model();

        Assert.Equal(
            [("rnn.weight_ih_l0", "Tensor"), ("rnn.weight_hh_l0", "Tensor"), ("up", "Conv1d"), ("attn.in_proj_weight", "Tensor")],
            model.Layers.Select(l => (l.Name, l.Kind)));
        Assert.Equal(0, model.Layer("rnn.weight_ih_l0").NeuronCount);
    }
}
