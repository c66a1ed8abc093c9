using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class LinearTests
{
    [Fact]
    public void A_weight_whose_bias_matches_dim_0_is_an_out_in_Linear_and_neuron_j_is_row_j()
    {
        // Given fc.weight [3, 4] and fc.bias [3]
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 4).Tensor("fc.bias", 3).Model();

        // When neuron 1 of fc is read
        var layer = Assert.Single(model.Layers);
        var neuron = model.Neuron("fc", 1);

        // Then it is row 1 of the weight and entry 1 of the bias
        Assert.Equal(("fc", "Linear", 3L, "(out, in)", false), (layer.Name, layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("bias length 3 equals dim 0 of weight [3, 4]"));
        Assert.Collection(neuron.Parts,
            w =>
            {
                Assert.Equal(("fc.weight", "weight", (string?)null, "[1]"), (w.Tensor, w.Role.Name, w.Gate?.Name, w.Index));
                Assert.Equal([4L], w.Shape);
                Assert.Equal(Run(4, 4), w.ToDoubles());
                Assert.Null(w.Note);
            },
            b =>
            {
                Assert.Equal(("fc.bias", "bias", "[1]"), (b.Tensor, b.Role.Name, b.Index));
                Assert.Equal([1.0], b.ToDoubles());
            });
    }

    [Fact]
    public void A_weight_whose_bias_matches_dim_1_only_is_in_out_and_neuron_j_is_a_column_with_a_note()
    {
        // Given proj.weight [4, 3] and proj.bias [3]
        using var model = new CheckpointBuilder().Tensor("proj.weight", 4, 3).Tensor("proj.bias", 3).Model();

        var layer = model.Layer("proj");
        var weight = model.Neuron("proj", 1).Part("weight")!;

        Assert.Equal(("(in, out)", 3L, false), (layer.Layout, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("equals dim 1, not dim 0"));
        Assert.Equal("[:, 1]", weight.Index);
        Assert.Equal([4L], weight.Shape);
        Assert.Equal([1.0, 4, 7, 10], weight.ToDoubles());
        Assert.Contains("column 1", weight.Note);
        Assert.Contains("(in, out)", weight.Note);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_square_weight_is_assumed_out_in_with_or_without_a_bias(bool withBias)
    {
        var builder = new CheckpointBuilder().Tensor("fc.weight", 4, 4);
        if (withBias) builder.Tensor("fc.bias", 4);
        using var model = builder.Model();

        var layer = model.Layer("fc");

        Assert.Equal(("Linear", "(out, in)", true), (layer.Kind, layer.Layout, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("(out, in) assumed"));
        Assert.Equal(withBias ? 2 : 1, model.Neuron("fc", 0).Parts.Count);
    }

    [Fact]
    public void A_non_square_weight_without_a_bias_is_assumed_out_in()
    {
        using var model = new CheckpointBuilder().Tensor("head.weight", 2, 5).Model();

        var layer = model.Layer("head");

        Assert.Equal(("(out, in)", 2L, true), (layer.Layout, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("no bias to tell"));
    }

    [Theory]
    [InlineData("h.0.attn.c_attn", 4, 12)]
    [InlineData("h.0.mlp.c_fc", 4, 16)]
    [InlineData("h.0.mlp.c_proj", 4, 4)]
    public void GPT2_Conv1D_names_are_in_out_even_when_square(string module, int rows, int columns)
    {
        // Given GPT-2's Conv1D modules, weight [in, out] with bias [out]
        using var model = new CheckpointBuilder().Tensor($"{module}.weight", rows, columns).Tensor($"{module}.bias", columns).Model();

        var layer = model.Layer(module);
        var weight = model.Neuron(module, 2).Part("weight")!;

        Assert.Equal(("Linear", "(in, out)", (long)columns, false), (layer.Kind, layer.Layout, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("GPT-2's Conv1D"));
        Assert.Equal("[:, 2]", weight.Index);
        Assert.Equal(Run(2, rows, columns), weight.ToDoubles());
    }

    [Theory]
    [InlineData("attn.out_proj")]
    [InlineData("model.layers.0.self_attn.q_proj")]
    [InlineData("bert.encoder.layer.0.attention.self.value")]
    public void Names_of_well_known_torch_Linear_modules_settle_a_square_weight_as_out_in(string module)
    {
        using var model = new CheckpointBuilder().Tensor($"{module}.weight", 4, 4).Tensor($"{module}.bias", 4).Model();

        var layer = model.Layer(module);

        Assert.Equal(("(out, in)", false), (layer.Layout, layer.Assumed));
        Assert.Contains("a torch.nn.Linear, which stores the weight (out, in)", layer.Evidence[0]);
    }

    [Fact]
    public void A_GPT2_name_gives_way_to_a_bias_that_says_out_in()
    {
        using var model = new CheckpointBuilder().Tensor("c_fc.weight", 6, 4).Tensor("c_fc.bias", 6).Model();

        Assert.Equal("(out, in)", model.Layer("c_fc").Layout);
    }

    [Fact]
    public void A_bias_that_fits_neither_dimension_leaves_both_tensors_as_fallback_layers()
    {
        using var model = new CheckpointBuilder().Tensor("odd.weight", 3, 4).Tensor("odd.bias", 5).Model();

        Assert.Equal(["odd.weight", "odd.bias"], model.Layers.Select(l => l.Name));
        Assert.All(model.Layers, l => Assert.Equal("Tensor", l.Kind));
    }

    [Theory]
    [InlineData("torch.nn.modules.linear.Linear", "(out, in)")]
    [InlineData("torch.nn.modules.linear.NonDynamicallyQuantizableLinear", "(out, in)")]
    [InlineData("transformers.pytorch_utils.Conv1D", "(in, out)")]
    public void A_module_class_settles_the_layout_of_a_square_weight(string moduleClass, string layout)
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 4, 4).Tensor("fc.bias", 4).Class("fc", moduleClass).Model();

        var layer = model.Layer("fc");

        Assert.Equal(("Linear", layout, false), (layer.Kind, layer.Layout, layer.Assumed));
        Assert.Equal($"module class {moduleClass}", layer.Evidence[0]);
    }
}
