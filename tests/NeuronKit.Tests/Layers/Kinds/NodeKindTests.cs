using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

/// <summary>ONNX nodes read as PyTorch's kinds: Gemm and MatMul as Linear, Conv, ConvTranspose, norms, Gather as Embedding.</summary>
public class NodeKindTests
{
    [Fact]
    public void A_Gemm_with_transB_0_reads_columns_and_a_scalar_C_is_every_neurons_bias()
    {
        using var model = new CheckpointBuilder().Tensor("B", 4, 3).Tensor("C")
            .Node("Gemm", "fc", ["x", "B", "C"], ["y"])
            .Model();

        var layer = model.Layer("fc");
        var neuron = layer.Neuron(2);

        Assert.Equal(("Linear", "(in, out)", 3L), (layer.Kind, layer.Layout, layer.NeuronCount));
        Assert.Contains(layer.Evidence, e => e.Contains("one bias broadcast to every output"));
        Assert.Equal(("[:, 2]", "[()]"), (neuron.Part("weight")!.Index, neuron.Part("bias")!.Index));
        Assert.Equal(Run(2, 4, 3), neuron.Part("weight")!.ToDoubles());
        Assert.Contains("broadcast", neuron.Part("bias")!.Note);
    }

    [Fact]
    public void A_MatMul_by_the_Transpose_of_a_constant_reads_the_constant_as_out_in_with_the_Add_after_it_as_bias()
    {
        // torch.onnx.export(..., do_constant_folding=False) of a Linear on 3-d input: MatMul(x, Transpose(fc.weight)) + fc.bias
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 4).Tensor("fc.bias", 3)
            .Node("Transpose", "t", ["fc.weight"], ["wt"])
            .Node("MatMul", "mm", ["x", "wt"], ["p"])
            .Node("Add", "add", ["p", "fc.bias"], ["y"])
            .Model();

        var layer = model.Layer("mm");
        var neuron = layer.Neuron(1);

        Assert.Equal(("Linear", "(out, in)", 3L, false), (layer.Kind, layer.Layout, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.StartsWith("B is Transpose node 't' of the constant fc.weight [3, 4]", StringComparison.Ordinal));
        Assert.Equal(("[1]", "[1]"), (neuron.Part("weight")!.Index, neuron.Part("bias")!.Index));
        Assert.Equal(Run(4, 4), neuron.Part("weight")!.ToDoubles());
        Assert.Same(layer, model.Layer("fc.weight"));
    }

    [Theory]
    [InlineData(new long[] { 1 }, "[0]")]
    [InlineData(new long[] { 1, 3 }, "[0, 2]")]
    [InlineData(new long[] { 1, 1 }, "[0, 0]")]   // one entry for all, as [1] and [] are
    [InlineData(new long[] { 3 }, "[2]")]
    public void A_Gemm_bias_is_indexed_by_its_own_shape(long[] shape, string index)
    {
        using var model = new CheckpointBuilder().Tensor("B", 3, 4).Tensor("C", shape)
            .Node("Gemm", "fc", ["x", "B", "C"], ["y"], ints: new() { ["transB"] = 1 }, floats: new() { ["alpha"] = 0.5 })
            .Model();

        var layer = model.Layer("fc");

        Assert.Equal(index, layer.Neuron(2).Part("bias")!.Index);
        Assert.Equal("(out, in)", layer.Layout);
        Assert.Contains(layer.Evidence, e => e == "alpha = 0.5 scales A·B at run time; the stored values are shown");
    }

    [Fact]
    public void A_Gemm_C_of_one_row_per_sample_is_not_a_part()
    {
        using var model = new CheckpointBuilder().Tensor("B", 3, 4).Tensor("C", 2, 3)
            .Node("Gemm", "fc", ["x", "B", "C"], ["y"], ints: new() { ["transB"] = 1 })
            .Model();

        Assert.Equal(["weight"], model.Neuron("fc", 0).Parts.Select(p => p.Role.Name));
        Assert.Contains(model.Layer("fc").Evidence, e => e.StartsWith("C [2, 3] is not one entry per output"));
    }

    [Fact]
    public void A_MatMul_takes_the_bias_of_the_Add_that_alone_reads_it_and_answers_to_that_Adds_name()
    {
        using var model = new CheckpointBuilder().Tensor("W", 4, 3).Tensor("b", 3)
            .Node("MatMul", "mm", ["x", "W"], ["xw"]).Node("Add", "add", ["xw", "b"], ["y"])
            .Model();

        var neuron = model.Neuron("add", 1);

        Assert.Equal("mm", neuron.Layer.Name);
        Assert.Equal(["weight [:, 1]", "bias [1]"], neuron.Parts.Select(p => $"{p.Role.Name} {p.Index}"));
        Assert.Same(neuron.Layer, model.Layer("xw"));
        Assert.Same(neuron.Layer, model.Layer("y"));
    }

    [Fact]
    public void A_MatMul_whose_output_is_read_twice_has_no_bias()
    {
        // Given the Add is not the MatMul's only reader, so the sum is not the layer's output alone
        using var model = new CheckpointBuilder().Tensor("W", 4, 3).Tensor("b", 3)
            .Node("MatMul", "mm", ["x", "W"], ["xw"]).Node("Add", "add", ["xw", "b"], ["y"]).Node("Relu", "r", ["xw"], ["z"])
            .Model();

        Assert.Equal(["weight"], model.Neuron("mm", 0).Parts.Select(p => p.Role.Name));
        Assert.Contains(model.Layers, l => l.Name == "b" && l.Kind == "Tensor");
    }

    [Fact]
    public void A_Conv_weight_reached_through_Identity_nodes_is_the_original_tensor()
    {
        using var model = new CheckpointBuilder().Tensor("conv.weight", 4, 2, 3, 3).Tensor("conv.bias", 4)
            .Node("Identity", "id1", ["conv.weight"], ["w1"]).Node("Identity", "id2", ["w1"], ["w2"])
            .Node("Conv", "conv", ["x", "w2", "conv.bias"], ["y"], ints: new() { ["group"] = 2 })
            .Model();

        var layer = model.Layer("conv");

        Assert.Equal(("Conv2d", "[out, in/groups, kH, kW], groups 2"), (layer.Kind, layer.Layout));
        Assert.Equal("conv.weight", layer.Neuron(0).Part("weight")!.Tensor);
    }

    [Fact]
    public void A_Conv_node_whose_group_does_not_divide_the_filters_is_read_by_names_and_shapes()
    {
        using var model = new CheckpointBuilder().Tensor("c.weight", 4, 2, 3, 3).Tensor("c.bias", 4)
            .Node("Conv", "conv", ["x", "c.weight", "c.bias"], ["y"], ints: new() { ["group"] = 3 })
            .Model();

        var layer = model.Layer("c");

        Assert.Equal("Conv2d", layer.Kind);
        Assert.DoesNotContain(layer.Evidence, e => e.Contains("ONNX node"));
    }

    [Fact]
    public void A_ConvTranspose_node_takes_its_groups_from_the_attribute_even_without_a_bias()
    {
        using var model = new CheckpointBuilder().Tensor("W", 4, 3, 2, 2)
            .Node("ConvTranspose", "up", ["x", "W"], ["y"], ints: new() { ["group"] = 2 })
            .Model();

        var layer = model.Layer("up");

        Assert.Equal(("ConvTranspose2d", 6L, false), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Equal("[2:4, 1]", layer.Neuron(4).Part("weight")!.Index);
    }

    [Fact]
    public void BatchNormalization_reads_scale_B_mean_and_var_as_PyTorchs_roles()
    {
        using var model = new CheckpointBuilder().Tensor("s", 5).Tensor("b", 5).Tensor("m", 5).Tensor("v", 5)
            .Node("BatchNormalization", "bn", ["x", "s", "b", "m", "v"], ["y"])
            .Model();

        var neuron = model.Neuron("bn", 3);

        Assert.Equal("BatchNorm", neuron.Layer.Kind);
        Assert.Equal(["s weight", "b bias", "m running_mean", "v running_var"], neuron.Parts.Select(p => $"{p.Tensor} {p.Role.Name}"));
    }

    [Fact]
    public void A_Gather_on_a_constant_table_by_computed_indices_is_an_Embedding_and_along_axis_1_it_is_not()
    {
        using var model = new CheckpointBuilder().Tensor("table", 10, 4).Tensor("other", 10, 4)
            .Node("Gather", "emb", ["table", "ids"], ["e"])
            .Node("Gather", "cols", ["other", "ids"], ["c"], ints: new() { ["axis"] = 1 })
            .Model();

        Assert.Equal(("Embedding", "[:, 2]"), (model.Layer("emb").Kind, model.Neuron("emb", 2).Part("weight")!.Index));
        Assert.Equal("Tensor", model.Layer("other").Kind);
    }
}
