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

    /// <summary>
    /// How many input channels <paramref name="layer"/> reads in all (a Linear's in features, a convolution's in channels for
    /// <paramref name="groups"/> groups), or null when its kind does not read a producer's channels through its weights.
    /// </summary>
    long? InputWidth(Layer layer, long groups) => null;

    /// <summary>
    /// The slices of <paramref name="layer"/>'s weights that multiply its input channels [<paramref name="first"/>,
    /// <paramref name="first"/> + <paramref name="count"/>) (one producer channel, spread over <paramref name="count"/> inputs
    /// after a flatten), the layer read with <paramref name="groups"/> groups; null when its kind reads no channels.
    /// </summary>
    IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups) => null;

    /// <summary>
    /// The slices of <paramref name="layer"/>'s own weights that multiply its previous output's unit <paramref name="unit"/>
    /// (a recurrent layer's <c>weight_hh[:, j]</c> per gate); null when its kind does not feed its output back.
    /// </summary>
    IReadOnlyList<NeuronPart>? FeedbackParts(Layer layer, long unit) => null;

    /// <summary>True for a per-channel layer (a norm) whose channel j goes on as channel j: a producer's neuron passes through it.</summary>
    bool PassesChannels => false;

    /// <summary>
    /// True when <paramref name="layer"/>, a layer that passes channels, holds one entry that every channel shares (PReLU()'s one
    /// slope) rather than one per channel: any producer's channels pass through it, each reading that entry.
    /// </summary>
    bool SharedByEveryChannel(Layer layer) => false;

    /// <summary>The parts of neuron <paramref name="neuron"/> (already in range) of <paramref name="layer"/>.</summary>
    IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron);
}
