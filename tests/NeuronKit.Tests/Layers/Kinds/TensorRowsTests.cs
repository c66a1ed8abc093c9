using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class TensorRowsTests
{
    [Fact]
    public void A_tensor_no_kind_claims_is_a_layer_named_by_the_full_tensor_name_whose_neuron_is_a_row()
    {
        using var model = new CheckpointBuilder().Tensor("pos_embed", 1, 4, 3).Model();

        var layer = Assert.Single(model.Layers);
        var part = Assert.Single(model.Neuron("pos_embed", 0).Parts);

        Assert.Equal(("pos_embed", "Tensor", 1L, true), (layer.Name, layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Equal(("pos_embed", "tensor", "[0]"), (part.Tensor, part.Role.Name, part.Index));
        Assert.Equal([4L, 3], part.Shape);
        Assert.Equal(Run(0, 12), part.ToDoubles());
    }

    [Fact]
    public void A_scalar_is_one_neuron_indexed_by_empty_parentheses()
    {
        using var model = new CheckpointBuilder().Tensor("temperature").Model();

        var part = Assert.Single(model.Neuron("temperature", -1).Parts);

        Assert.Equal(("[()]", 0), (part.Index, part.Shape.Count));
        Assert.Equal([0.0], part.ToDoubles());
    }

    [Fact]
    public void Tensors_a_kind_does_not_use_become_fallback_layers_beside_it()
    {
        // Given a module with an LSTM sub-layer and a stray parameter
        using var model = new CheckpointBuilder().Tensor("rnn.weight_ih_l0", 4, 3).Tensor("rnn.weight_hh_l0", 4, 4)
            .Tensor("rnn.scale", 4).Model();

        Assert.Equal([("rnn.l0", "RNN"), ("rnn.scale", "Tensor")], model.Layers.Select(l => (l.Name, l.Kind)));
    }
}
