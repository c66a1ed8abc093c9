using NeuronKit.Neurons;

namespace NeuronKit.Layers;

/// <summary>
/// One kind of layer: how to recognise it among a module's tensors, how to read tensors as it when told to,
/// and which slices of its tensors belong to neuron j.
/// </summary>
internal interface ILayerKind
{
    /// <summary>The PyTorch class names this kind reads (<c>Conv1d</c>, <c>Conv2d</c>, <c>Conv3d</c>), as module classes and <c>--kind</c> name them.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The layers this kind makes of <paramref name="candidate"/> judging by names and shapes alone, or null when it is not this kind.</summary>
    IReadOnlyList<Layer>? Match(LayerCandidate candidate);

    /// <summary>
    /// Reads <paramref name="candidate"/> as the kind <paramref name="request"/> names (a known module class or <c>--kind</c>);
    /// throws <see cref="RequestException"/> saying why when the tensors do not fit it.
    /// </summary>
    IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request);

    /// <summary>
    /// True when neuron j's every slice is neuron 0's moved j steps along its tensor, so a scan can plan a whole layer from
    /// two neurons instead of building each one's parts. ConvTranspose's are not: a group boundary jumps.
    /// </summary>
    bool StepsEvenly => true;

    /// <summary>The parts of neuron <paramref name="neuron"/> (already in range) of <paramref name="layer"/>.</summary>
    IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron);
}
