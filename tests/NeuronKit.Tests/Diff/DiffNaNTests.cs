using NeuronKit.Diff;
using NeuronKit.Tensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// A diff where weights are NaN in one file or both: the numbers numpy gives for the same arrays, and which neurons
/// count as changed.
/// </summary>
public class DiffNaNTests
{
    // A Linear(3, 4) of weights 0, 1, 2, … (float32), and its copy with neuron 2's first weight moved by 1 and
    // the weights given set to NaN.
    private static LayerDiff Compare(params (int Neuron, int Input)[] nans)
    {
        double[] a = [.. Enumerable.Range(0, 12).Select(i => (double)i)];
        double[] b = [.. a];
        b[2 * 3] += 1;
        foreach (var (neuron, input) in nans) b[neuron * 3 + input] = double.NaN;
        using var modelA = new CheckpointBuilder().Values("fc.weight", DType.Float32, [4, 3], a).Model();
        using var modelB = new CheckpointBuilder().Values("fc.weight", DType.Float32, [4, 3], b).Model();
        return LayerDiff.Compute(modelA.Layer("fc"), modelB.Layer("fc"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void A_NaN_change_makes_the_layer_s_largest_change_NaN_whichever_neuron_holds_it(int neuron)
    {
        // Given a layer whose neuron 2 moved by 1 and one other neuron became NaN, before it or after it
        var diff = Compare((neuron, 0));

        // Then that neuron's largest change is NaN, and so is the layer's, as numpy's max of the whole difference
        Assert.True(double.IsNaN(diff.Neurons[neuron].MaxAbs));
        Assert.Equal(1, diff.Neurons[2].MaxAbs);
        Assert.True(double.IsNaN(diff.MaxAbs));
    }

    [Fact]
    public void Without_a_NaN_the_layer_s_largest_change_is_its_neurons_largest()
    {
        var diff = Compare();

        Assert.Equal(1, diff.MaxAbs);
    }
}
