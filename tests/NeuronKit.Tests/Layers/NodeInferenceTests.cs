namespace NeuronKit.Tests.Layers;

public class NodeInferenceTests
{
    [Fact]
    public void A_node_layer_is_named_by_the_node_or_its_first_output_and_answers_to_its_weights_and_outputs()
    {
        // Given two Gemm nodes, one without a name
        using var model = new CheckpointBuilder().Tensor("w1", 3, 4).Tensor("w2", 2, 3)
            .Node("Gemm", "first", ["x", "w1"], ["h"], ints: new() { ["transB"] = 1 })
            .Node("Gemm", "", ["h", "w2"], ["logits"], ints: new() { ["transB"] = 1 })
            .Model();

        Assert.Equal(["first", "logits"], model.Layers.Select(l => l.Name));
        Assert.Same(model.Layer("first"), model.Layer("w1"));
        Assert.Same(model.Layer("first"), model.Layer("h"));
        Assert.Same(model.Layer("logits"), model.Layer("w2"));
    }

    [Fact]
    public void A_node_name_used_twice_names_the_second_layer_by_its_output()
    {
        using var model = new CheckpointBuilder().Tensor("w1", 3, 4).Tensor("w2", 2, 3)
            .Node("Gemm", "fc", ["x", "w1"], ["h"], ints: new() { ["transB"] = 1 })
            .Node("Gemm", "fc", ["h", "w2"], ["y"], ints: new() { ["transB"] = 1 })
            .Model();

        Assert.Equal(["fc", "y"], model.Layers.Select(l => l.Name));
    }

    [Fact]
    public void Tensors_no_node_claims_are_read_by_names_and_shapes_and_weights_fed_at_run_time_are_not_layers_of_a_node()
    {
        // Given a Gemm whose weight is a graph input (not in the file), and a state-dict-like pair no node reads
        using var model = new CheckpointBuilder().Tensor("head.weight", 2, 3).Tensor("head.bias", 2)
            .Node("Gemm", "fc", ["x", "runtime_w"], ["y"], ints: new() { ["transB"] = 1 })
            .Model();

        var layer = Assert.Single(model.Layers);
        Assert.Equal(("head", "Linear"), (layer.Name, layer.Kind));
    }
}
