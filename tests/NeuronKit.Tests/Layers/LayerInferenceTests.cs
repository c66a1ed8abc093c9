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
    public void A_bare_module_state_dict_is_one_layer_named_root_that_its_tensor_names_and_the_empty_string_reach()
    {
        // Given the state dict of one nn.Linear: tensor names without a module path
        using var model = new CheckpointBuilder().Tensor("weight", 3, 2).Tensor("bias", 3).Model();

        var layer = Assert.Single(model.Layers);

        // Then its layer has a name people can type, and every name that reached it before still does
        Assert.Equal(("root", "Linear", 3L), (layer.Name, layer.Kind, layer.NeuronCount));
        Assert.Same(layer, model.Layer("root"));
        Assert.Same(layer, model.Layer("weight"));
        Assert.Same(layer, model.Layer("bias"));
        Assert.Same(layer, model.Layer(""));
        Assert.Contains(layer.Evidence, e => e.StartsWith("tensor names without a module path", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bare_recurrent_module_keeps_its_sub_layer_names_under_module_root()
    {
        // Given the state dict of one two-layer nn.GRU
        var builder = new CheckpointBuilder();
        foreach (string suffix in (string[])["_l0", "_l1"])
            builder.Tensor($"weight_ih{suffix}", 6, 2).Tensor($"weight_hh{suffix}", 6, 2);
        using var model = builder.Model();

        // Then its sub-layers are l0 and l1, and root names both
        Assert.Equal(["l0", "l1"], model.Layers.Select(l => l.Name));
        Assert.All(model.Layers, l => Assert.Equal("root", l.Module));
        Assert.Equal("l1", model.Layer("weight_hh_l1").Name);
        var error = Assert.Throws<RequestException>(() => model.Layer("root"));
        Assert.Equal("'root' has 2 sub-layers: l0, l1", error.Message);
    }

    [Fact]
    public void A_bare_recurrent_module_with_one_sub_layer_answers_to_root_and_the_empty_string()
    {
        using var model = new CheckpointBuilder().Tensor("weight_ih_l0", 6, 2).Tensor("weight_hh_l0", 6, 2).Model();

        var layer = Assert.Single(model.Layers);

        Assert.Equal("l0", layer.Name);
        Assert.Same(layer, model.Layer("root"));
        Assert.Same(layer, model.Layer(""));
    }

    [Fact]
    public void A_module_s_own_tensor_that_is_no_layer_kind_keeps_its_tensor_name()
    {
        // Given a custom module with a parameter of its own and a child Linear
        using var model = new CheckpointBuilder().Tensor("scale", 4).Tensor("fc.weight", 2, 4).Tensor("fc.bias", 2).Model();

        // Then the parameter is a layer of its own under its own name, as any fallback tensor is
        Assert.Equal(["scale", "fc"], model.Layers.Select(l => l.Name));
    }

    [Theory]
    [InlineData("model.layers.0.self_attn.")]        // compressed-tensors' and Qwen2.5-FP8's
    [InlineData("model.layers.0.self_attn.attn.")]   // vLLM's Attention under the attention module
    public void An_attention_s_KV_cache_scales_stay_with_the_projections_whose_output_they_scale(string at)
    {
        // Given a Hugging Face attention (unquantized weights) with one k_scale and one v_scale of its own
        const string Attention = "model.layers.0.self_attn.";
        var builder = new CheckpointBuilder();
        foreach (string projection in (string[])["q_proj", "k_proj", "v_proj", "o_proj"]) builder.Tensor($"{Attention}{projection}.weight", 4, 4);
        using var model = builder.Tensor(at + "k_scale").Tensor(at + "v_scale").Model();

        // Then the four projections are the only layers: k_scale is kept with k_proj, v_scale with v_proj, each in no neuron
        Assert.Equal(["q_proj", "k_proj", "v_proj", "o_proj"], model.Layers.Select(l => l.Name[Attention.Length..]));
        foreach (var (projection, scale) in new[] { ("k_proj", "k_scale"), ("v_proj", "v_scale") })
        {
            var layer = model.Layer(Attention + projection);
            Assert.Equal([$"{Attention}{projection}.weight", at + scale], layer.Tensors.Select(t => t.Tensor.Name));
            Assert.Contains(layer.Evidence, e => e.Contains($"{at}{scale}, kept on the attention, scales what the module writes to the KV cache", StringComparison.Ordinal));
            Assert.Equal(["weight"], layer.Neuron(3).Parts.Select(p => p.Role.Name));
            Assert.Same(layer, model.Layer(at + scale));
        }
    }

    [Theory]
    [InlineData("h.0.attn.", "c_attn", 12)]                      // GPT-2's fused Conv1D
    [InlineData("model.layers.0.self_attn.", "qkv_proj", 12)]    // Phi-3's fused Linear
    [InlineData("transformer.h.0.self_attention.", "query_key_value", 12)]  // Falcon's
    public void An_attention_s_KV_cache_scales_stay_with_its_fused_projection(string attention, string fused, int outputs)
    {
        using var model = new CheckpointBuilder().Tensor($"{attention}{fused}.weight", fused == "c_attn" ? [4, outputs] : [outputs, 4])
            .Tensor(attention + "k_scale").Tensor(attention + "v_scale").Model();

        var layer = Assert.Single(model.Layers);
        Assert.Equal(attention + fused, layer.Name);
        Assert.Equal(["weight", "k_scale", "v_scale"], layer.Tensors.Select(t => t.Role));
    }

    [Fact]
    public void A_projection_s_own_KV_cache_scale_stays_with_it_beside_unquantized_weights()
    {
        // Given ModelOpt's naming, k_proj.k_scale, in a model whose only quantization is its FP8 KV cache
        using var model = new CheckpointBuilder().Tensor("attn.k_proj.weight", 4, 4).Tensor("attn.k_proj.bias", 4).Tensor("attn.k_proj.k_scale").Model();

        var layer = Assert.Single(model.Layers);
        Assert.Equal(("attn.k_proj", "Linear"), (layer.Name, layer.Kind));
        Assert.Equal(["weight", "bias", "k_scale"], layer.Tensors.Select(t => t.Role));
        Assert.Contains(layer.Evidence, e => e.Contains("attn.k_proj.k_scale scales what the module writes to the KV cache", StringComparison.Ordinal));
    }

    [Fact]
    public void A_KV_cache_scale_with_no_projection_to_go_to_or_of_more_than_one_value_stays_a_layer_of_its_own()
    {
        // Given an attention's k_scale without a k_proj beside it, and a v_scale of one value per head
        using var model = new CheckpointBuilder().Tensor("attn.k_scale").Tensor("attn.out_proj.weight", 4, 4)
            .Tensor("self_attn.v_proj.weight", 4, 4).Tensor("self_attn.v_scale", 2).Model();

        Assert.Equal(["attn.k_scale", "attn.out_proj", "self_attn.v_proj", "self_attn.v_scale"], model.Layers.Select(l => l.Name));
    }

    [Fact]
    public void A_file_with_a_module_called_root_keeps_the_empty_name_for_the_module_s_own_tensors()
    {
        // Given a file whose own tensors sit beside a child module that is itself called root
        using var model = new CheckpointBuilder().Tensor("weight", 3, 2).Tensor("bias", 3).Tensor("root.weight", 2, 3).Tensor("root.bias", 2).Model();

        // Then the child keeps its name and the module's own layer stays "", reached by its tensor names
        Assert.Equal(["", "root"], model.Layers.Select(l => l.Name));
        Assert.Equal("", model.Layer("weight").Name);
        Assert.Equal("root", model.Layer("root.weight").Name);
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
