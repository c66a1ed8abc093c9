using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class ConvTransposeTests
{
    [Fact]
    public void A_bias_of_dim_1_times_g_makes_a_ConvTranspose_with_g_groups_whose_neuron_is_a_column_of_its_group()
    {
        // Given ConvTranspose2d(in 4, out 6, groups 2): weight [4, 3, 2, 2], bias [6]
        using var model = new CheckpointBuilder().Tensor("up.weight", 4, 3, 2, 2).Tensor("up.bias", 6).Model();

        var layer = model.Layer("up");
        var neuron = model.Neuron("up", 4);

        Assert.Equal(("ConvTranspose2d", 6L, "[in, out/groups, kH, kW], groups 2", false),
            (layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("equals dim 1 (3) × 2") && e.Contains("groups 2"));
        // Then output channel 4 is group 1 (channels 3..5), column 1, over input channels 2..3
        var weight = neuron.Part("weight")!;
        Assert.Equal(("up.weight", "weight", "[2:4, 1]"), (weight.Tensor, weight.Role.Name, weight.Index));
        Assert.Equal([2L, 2, 2], weight.Shape);
        Assert.Equal([28.0, 29, 30, 31, 40, 41, 42, 43], weight.ToDoubles());
        Assert.Contains("dim 1", weight.Note);
        Assert.Contains("group 1", weight.Note);
        Assert.Equal("[4]", neuron.Part("bias")!.Index);
        Assert.Equal([4.0], neuron.Part("bias")!.ToDoubles());
    }

    [Fact]
    public void With_one_group_a_ConvTranspose_neuron_takes_column_j_of_every_input_row()
    {
        // Given ConvTranspose1d(in 2, out 3): weight [2, 3, 2], bias [3]
        using var model = new CheckpointBuilder().Tensor("up.weight", 2, 3, 2).Tensor("up.bias", 3).Model();

        var layer = model.Layer("up");
        var weight = model.Neuron("up", 2).Part("weight")!;

        Assert.Equal(("ConvTranspose1d", 3L, "[in, out/groups, k], groups 1"), (layer.Kind, layer.NeuronCount, layer.Layout));
        Assert.Equal("[0:2, 2]", weight.Index);
        Assert.Equal([4.0, 5, 10, 11], weight.ToDoubles());
        Assert.Contains("weight[2] would be input channel 2's filters", weight.Note);
    }

    [Fact]
    public void A_ConvTranspose3d_is_told_by_its_rank()
    {
        using var model = new CheckpointBuilder().Tensor("up.weight", 2, 4, 1, 1, 1).Tensor("up.bias", 4).Model();

        Assert.Equal("ConvTranspose3d", model.Layer("up").Kind);
    }

    [Fact]
    public void A_module_class_names_a_ConvTranspose_without_a_bias_and_groups_1_is_assumed()
    {
        using var model = new CheckpointBuilder().Tensor("up.weight", 4, 4, 3, 3)
            .Class("up", "torch.nn.modules.conv.ConvTranspose2d").Model();

        var layer = model.Layer("up");

        Assert.Equal(("ConvTranspose2d", 4L, true), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Equal("module class torch.nn.modules.conv.ConvTranspose2d", layer.Evidence[0]);
        Assert.Contains(layer.Evidence, e => e.Contains("groups 1 assumed"));
    }

    [Fact]
    public void Kind_ConvTranspose_with_groups_rereads_a_bias_free_weight()
    {
        // Given a bias-free rank-4 weight, inferred as a Conv2d
        using var model = new CheckpointBuilder().Tensor("up.weight", 4, 3, 2, 2).Model();

        var layer = model.Layer("up", "ConvTranspose2d(groups=2)");
        var weight = layer.Neuron(4).Part("weight")!;

        Assert.Equal(("ConvTranspose2d", 6L, "[in, out/groups, kH, kW], groups 2", false), (layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Equal("--kind ConvTranspose2d(groups=2) (asked for)", layer.Evidence[0]);
        Assert.Equal("[2:4, 1]", weight.Index);
    }

    [Theory]
    [InlineData("ConvTranspose2d(groups=3)", "groups 3 must divide dim 0 (4) of up.weight [4, 3, 2, 2]")]
    [InlineData("ConvTranspose2d(groups=8)", "groups 8 must divide dim 0 (4) of up.weight [4, 3, 2, 2]")]
    [InlineData("ConvTranspose2d(groups=1)", "up.bias has 6 entries, but ConvTranspose2d with groups 1 and weight [4, 3, 2, 2] has dim 1 (3) × 1 = 3 output channels")]
    [InlineData("ConvTranspose1d", "ConvTranspose1d needs a rank-3 weight [in, out/groups, k], and up.weight is [4, 3, 2, 2]")]
    public void Groups_or_a_rank_that_do_not_fit_are_refused(string kind, string reason)
    {
        using var model = new CheckpointBuilder().Tensor("up.weight", 4, 3, 2, 2).Tensor("up.bias", 6).Model();

        var error = Assert.Throws<NeuronKit.RequestException>(() => model.Layer("up", kind));

        Assert.Equal($"layer 'up' cannot be read as {kind[..15]}: {reason}", error.Message);
    }
}
