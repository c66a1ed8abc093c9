using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class ConvTests
{
    [Fact]
    public void A_rank_4_weight_whose_bias_matches_dim_0_is_a_Conv2d_and_neuron_j_is_filter_j()
    {
        // Given conv.weight [4, 3, 2, 2] and conv.bias [4]: 4 is not a multiple of 3, so no ConvTranspose fits
        using var model = new CheckpointBuilder().Tensor("conv.weight", 4, 3, 2, 2).Tensor("conv.bias", 4).Model();

        var layer = model.Layer("conv");
        var neuron = model.Neuron("conv", -1);

        Assert.Equal(("Conv2d", 4L, "[out, in/groups, kH, kW]", false), (layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("bias length 4 equals dim 0"));
        Assert.Equal(3, neuron.Index);
        var weight = neuron.Part("weight")!;
        Assert.Equal(("conv.weight", "[3]"), (weight.Tensor, weight.Index));
        Assert.Equal([3L, 2, 2], weight.Shape);
        Assert.Equal(Run(36, 12), weight.ToDoubles());
        Assert.Equal([3.0], neuron.Part("bias")!.ToDoubles());
    }

    [Theory]
    [InlineData(new long[] { 5, 2, 3 }, "Conv1d", "[out, in/groups, k]")]
    [InlineData(new long[] { 5, 2, 3, 3, 3 }, "Conv3d", "[out, in/groups, kD, kH, kW]")]
    public void The_weight_rank_picks_Conv1d_or_Conv3d(long[] shape, string kind, string layout)
    {
        using var model = new CheckpointBuilder().Tensor("c.weight", shape).Tensor("c.bias", 5).Model();

        var layer = model.Layer("c");

        Assert.Equal((kind, layout, 5L), (layer.Kind, layer.Layout, layer.NeuronCount));
        Assert.Equal(shape[1..], model.Neuron("c", 4).Part("weight")!.Shape);
    }

    [Fact]
    public void A_convolution_weight_without_a_bias_is_assumed_to_be_a_Conv()
    {
        using var model = new CheckpointBuilder().Tensor("features.0.weight", 8, 3, 3, 3).Model();

        var layer = model.Layer("features.0");

        Assert.Equal(("Conv2d", true), (layer.Kind, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("no bias to tell Conv2d from ConvTranspose2d; Conv2d assumed"));
    }

    [Fact]
    public void A_depthwise_Conv_is_read_filter_by_filter_and_marked_assumed_because_a_ConvTranspose_would_fit_too()
    {
        // Given a depthwise Conv2d(6, 6, 3, groups=6): weight [6, 1, 3, 3], bias [6] = dim 1 × 6 as well as dim 0
        using var model = new CheckpointBuilder().Tensor("dw.weight", 6, 1, 3, 3).Tensor("dw.bias", 6).Model();

        var layer = model.Layer("dw");
        var weight = model.Neuron("dw", 5).Part("weight")!;

        Assert.Equal(("Conv2d", 6L, true), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("ConvTranspose2d with groups 6 would have; Conv2d assumed"));
        Assert.Equal([1L, 3, 3], weight.Shape);
        Assert.Equal(Run(45, 9), weight.ToDoubles());
    }

    [Fact]
    public void A_module_class_makes_an_ambiguous_Conv_certain()
    {
        using var model = new CheckpointBuilder().Tensor("dw.weight", 6, 1, 3, 3).Tensor("dw.bias", 6)
            .Class("dw", "torch.nn.modules.conv.Conv2d").Model();

        var layer = model.Layer("dw");

        Assert.Equal(("Conv2d", false), (layer.Kind, layer.Assumed));
        Assert.Equal(["module class torch.nn.modules.conv.Conv2d"], layer.Evidence);
    }
}
