using NeuronKit.Neurons;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// A BatchNorm after a Concat, as in every DenseNet layer (graph/concat_bn.onnx, make_concat_norm.py: conv1's output
/// concatenated after conv0's 4 channels, then bn over the 6): conv1's channel j is bn's entry 4 + j, as it is conv2's
/// input 4 + j. The pruned model runs in ONNX Runtime as the ablated original in PruneOnnxTests.
/// </summary>
public class OnnxConcatNormTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_norm_after_a_concat_is_passed_at_the_channel_s_place_among_the_concatenated(long j)
    {
        // Given
        using var model = Model.Open(Fixtures.Path("graph/concat_bn.onnx"));

        // When conv1's neuron j is read with its outgoing parts
        var parts = model.Graph.WithOutgoing(model.Neuron("/conv1/Conv", j)).Parts;

        // Then bn's entry 4 + j is on the way, and conv2's input 4 + j reads it
        var through = parts.Where(p => p.Direction == PartDirection.Through).ToList();
        Assert.Equal(["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], through.Select(p => p.Tensor));
        Assert.All(through, p => Assert.Equal($"[{4 + j}]", p.Index));
        Assert.All(through, p => Assert.Equal(model.Checkpoint.Find(p.Tensor)!.View().ToDoubles()[4 + j], p.ToDoubles()[0]));
        Assert.Equal($"[:, {4 + j}]", Assert.Single(parts, p => p.Direction == PartDirection.Out).Index);
    }
}
