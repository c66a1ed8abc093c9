namespace NeuronKit.Layers;

/// <summary>One kind of layer: which slices of its tensors belong to neuron j.</summary>
internal interface ILayerKind
{
    /// <summary>The parts of neuron <paramref name="neuron"/> (already in range) of <paramref name="layer"/>.</summary>
    IReadOnlyList<Neurons.NeuronPart> Parts(Layer layer, long neuron);
}
