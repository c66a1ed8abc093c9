using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class NormTests
{
    private static CheckpointBuilder BatchNorm(string module) => new CheckpointBuilder()
        .Tensor($"{module}.weight", 3).Tensor($"{module}.bias", 3).Tensor($"{module}.running_mean", 3)
        .Tensor($"{module}.running_var", 3).Tensor($"{module}.num_batches_tracked");

    [Fact]
    public void Running_statistics_make_a_BatchNorm_whose_neuron_is_entry_j_of_each_and_not_the_counter()
    {
        using var model = BatchNorm("bn").Model();

        var layer = Assert.Single(model.Layers);
        var neuron = model.Neuron("bn", 2);

        Assert.Equal(("bn", "BatchNorm", 3L, "[C]", false), (layer.Name, layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("running_mean and running_var"));
        Assert.Contains(layer.Tensors, t => t.Role == "num_batches_tracked");
        Assert.Equal(["weight", "bias", "running_mean", "running_var"], neuron.Parts.Select(p => p.Role.Name));
        Assert.All(neuron.Parts, p => Assert.Equal("[2]", p.Index));
        Assert.All(neuron.Parts, p => Assert.Equal([2.0], p.ToDoubles()));
        Assert.Equal("bn.running_var", neuron.Parts[3].Tensor);
    }

    [Theory]
    [InlineData("torch.nn.modules.batchnorm.BatchNorm1d", "BatchNorm1d")]
    [InlineData("torch.nn.modules.batchnorm.BatchNorm2d", "BatchNorm2d")]
    [InlineData("torch.nn.modules.instancenorm.InstanceNorm2d", "InstanceNorm2d")]
    public void A_known_module_class_names_the_norm_exactly(string moduleClass, string kind)
    {
        using var model = BatchNorm("bn").Class("bn", moduleClass).Model();

        var layer = model.Layer("bn");

        Assert.Equal((kind, false), (layer.Kind, layer.Assumed));
        Assert.Equal($"module class {moduleClass}", layer.Evidence[0]);
    }

    [Fact]
    public void A_BatchNorm_without_affine_parameters_still_has_its_running_statistics()
    {
        using var model = new CheckpointBuilder().Tensor("bn.running_mean", 4).Tensor("bn.running_var", 4).Tensor("bn.num_batches_tracked").Model();

        var neuron = model.Neuron("bn", 3);

        Assert.Equal("BatchNorm", neuron.Layer.Kind);
        Assert.Equal(["running_mean", "running_var"], neuron.Parts.Select(p => p.Role.Name));
    }

    [Fact]
    public void A_1d_weight_and_bias_alone_is_assumed_to_be_a_LayerNorm()
    {
        using var model = new CheckpointBuilder().Tensor("ln_f.weight", 5).Tensor("ln_f.bias", 5).Model();

        var layer = model.Layer("ln_f");

        Assert.Equal(("LayerNorm", 5L, true), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("LayerNorm assumed"));
        Assert.Equal(["weight", "bias"], model.Neuron("ln_f", 4).Parts.Select(p => p.Role.Name));
    }

    [Theory]
    [InlineData("torch.nn.modules.normalization.GroupNorm", "GroupNorm")]
    [InlineData("torch.nn.modules.normalization.LayerNorm", "LayerNorm")]
    public void A_module_class_settles_a_LayerNorm_family_norm(string moduleClass, string kind)
    {
        using var model = new CheckpointBuilder().Tensor("norm.weight", 6).Tensor("norm.bias", 6).Class("norm", moduleClass).Model();

        var layer = model.Layer("norm");

        Assert.Equal((kind, false, 6L), (layer.Kind, layer.Assumed, layer.NeuronCount));
    }

    [Fact]
    public void A_LayerNorm_over_several_dims_takes_row_j_of_dim_0()
    {
        // Given LayerNorm((2, 3)): weight and bias [2, 3]
        using var model = new CheckpointBuilder().Tensor("ln.weight", 2, 3).Tensor("ln.bias", 2, 3)
            .Class("ln", "torch.nn.modules.normalization.LayerNorm").Model();

        var layer = model.Layer("ln");
        var weight = layer.Neuron(1).Part("weight")!;

        Assert.Equal(("LayerNorm", 2L), (layer.Kind, layer.NeuronCount));
        Assert.Contains("row j of dim 0", layer.Layout);
        Assert.Equal("[1]", weight.Index);
        Assert.Equal(Run(3, 3), weight.ToDoubles());
    }

    [Fact]
    public void A_multi_dim_weight_and_bias_of_one_shape_is_a_LayerNorm_without_its_class()
    {
        using var model = new CheckpointBuilder().Tensor("ln.weight", 3, 4).Tensor("ln.bias", 3, 4).Model();

        var layer = model.Layer("ln");
        var bias = layer.Neuron(2).Part("bias")!;

        Assert.Equal(("LayerNorm", 3L, false), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("LayerNorm over several dims"));
        Assert.Equal("[2]", bias.Index);
        Assert.Equal(Run(8, 4), bias.ToDoubles());
    }

    [Fact]
    public void A_lone_multi_dim_weight_is_not_taken_for_a_norm()
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 4).Model();

        Assert.Equal("Linear", model.Layer("fc").Kind);
    }
}
