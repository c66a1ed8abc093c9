using NeuronKit.Diff;
using NeuronKit.Tensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>A layer's most changed neurons: relative change first, a revived neuron before all, ties by index.</summary>
public class MostChangedTests
{
    [Fact]
    public void The_most_changed_are_the_first_of_every_changed_neuron_sorted_by_relative_change_then_index()
    {
        // Given 40 neurons of 3 weights: neuron 5 revived (zero in A), neuron 9 zero in both, neurons 3, 7 and 11 the
        // same change of the same row (an exact tie, the largest finite one), a third of the rest unchanged
        const int neurons = 40, inputs = 3;
        var random = new Random(7);
        var a = new double[neurons * inputs];
        var b = new double[neurons * inputs];
        for (int j = 0; j < neurons; j++)
        {
            double scale = j is 3 or 7 or 11 ? 1.9 : j % 3 == 0 ? 1 : 1 + random.NextDouble() / 2;
            for (int i = 0; i < inputs; i++)
            {
                double value = j is 3 or 7 or 11 ? 0.25 * (i + 1) : random.NextDouble() - 0.5;
                a[j * inputs + i] = j is 5 or 9 ? 0 : value;
                b[j * inputs + i] = j == 9 ? 0 : j == 5 ? value : value * scale;
            }
        }
        using var modelA = new CheckpointBuilder().Values("fc.weight", DType.Float64, [neurons, inputs], a).Model();
        using var modelB = new CheckpointBuilder().Values("fc.weight", DType.Float64, [neurons, inputs], b).Model();

        // When the layers are compared
        var diff = LayerDiff.Compute(modelA.Layer("fc"), modelB.Layer("fc"));

        // Then the leaders are those of a full sort, the revived neuron first and the tie in index order
        var sorted = diff.Neurons.Where(n => n.WeightsChanged).OrderByDescending(n => double.IsNaN(n.Relative) ? -1 : n.Relative)
            .ThenBy(n => n.Index).Take(LayerDiff.MostChangedCount).Select(n => n.Index);
        Assert.Equal(sorted, diff.MostChanged);
        Assert.Equal([5L, 3, 7, 11], diff.MostChanged.Take(4));
    }
}
