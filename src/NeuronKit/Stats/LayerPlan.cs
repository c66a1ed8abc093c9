using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>
/// How to walk a layer's neurons: by <see cref="PartPlan"/>s for kinds whose neuron j is row (or column) j of each
/// tensor, or gate row g·H + j, checked on sample neurons; otherwise neuron by neuron through <see cref="Layer.Neuron"/>.
/// </summary>
internal static class LayerPlan
{
    /// <summary>The plans of <paramref name="layer"/>'s parts, or null when it must be walked neuron by neuron.</summary>
    public static PartPlan[]? TryCreate(Layer layer)
    {
        long count = layer.NeuronCount;
        if (count < 2 || !layer.Implementation.StepsEvenly) return null;
        var first = layer.Neuron(0).Parts;
        var second = layer.Neuron(1).Parts;
        if (first.Count != second.Count) return null;
        var plans = new PartPlan[first.Count];
        for (int k = 0; k < plans.Length; k++)
            if ((plans[k] = PartPlan.Between(first[k], second[k], 1)!) is null) return null;
        // The kind list says the steps are even; a few samples make sure the layer agrees.
        foreach (long j in (long[])[count / 3, count / 2, count - 1])
        {
            var parts = layer.Neuron(j).Parts;
            if (parts.Count != plans.Length) return null;
            for (int k = 0; k < plans.Length; k++)
                if (!plans[k].Predicts(parts[k], j)) return null;
        }
        return plans;
    }
}
