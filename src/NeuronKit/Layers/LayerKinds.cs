using NeuronKit.Layers.Kinds;

namespace NeuronKit.Layers;

/// <summary>The one ordered list of layer kinds: a module's tensors are the first kind's whose match accepts them.</summary>
internal static class LayerKinds
{
    /// <summary>The kind for a tensor no other kind claims: neuron j is its row j.</summary>
    public static readonly TensorRows Fallback = new();

    /// <summary>
    /// Every kind, most specific first: recurrent and attention tensors are known by their names; a PReLU's lone weight and a
    /// Bilinear's only by a name or a single slope, before the norm and convolution they look like; norms, convolutions and
    /// embeddings come before Linear because a Linear would take any 2-D weight; the fallback takes whatever is left.
    /// Keras' kinds read Keras' names (kernel, recurrent_kernel, gamma, …), which PyTorch's never match.
    /// </summary>
    public static readonly IReadOnlyList<ILayerKind> All =
    [
        new Lstm(),
        new Gru(),
        new Rnn(),
        new OnnxLstm(),
        new OnnxGru(),
        new OnnxRnn(),
        new KerasLstm(),
        new KerasGru(),
        new KerasSimpleRnn(),
        new MultiheadAttention(),
        new Experts(),
        new PRelu(),
        new Norm(),
        new Bilinear(),
        new ConvTranspose(),
        new Conv(),
        new DenseGeneral(),
        new ChannelsLastDepthwiseConv(),
        new ChannelsLastConvTranspose(),
        new ChannelsLastConv(),
        new Embedding(),
        new Linear(),
        new Quantize(),
        new Observer(),
        Fallback,
    ];

    /// <summary>The kinds a graph node names, by ONNX operator (<c>Conv</c> → Conv): every kind in <see cref="All"/> that reads nodes.</summary>
    public static readonly IReadOnlyDictionary<string, INodeKind> Operators =
        All.OfType<INodeKind>().SelectMany(k => k.OpTypes.Select(op => (op, k))).ToDictionary(p => p.op, p => p.k, StringComparer.Ordinal);

    /// <summary>Every class name some kind reads, in list order: what <c>--kind</c> accepts.</summary>
    public static IEnumerable<string> Names => All.SelectMany(k => k.ClassNames);

    /// <summary>
    /// The kind reading class <paramref name="name"/> and the name as PyTorch spells it, or null. The exact spelling wins
    /// (Conv1D is GPT-2's transposed Linear, Conv1d a convolution); otherwise any case does.
    /// </summary>
    public static (ILayerKind Kind, string Name)? Find(string name)
    {
        foreach (var comparison in (StringComparison[])[StringComparison.Ordinal, StringComparison.OrdinalIgnoreCase])
            foreach (var kind in All)
                foreach (var className in kind.ClassNames)
                    if (string.Equals(className, name, comparison))
                        return (kind, className);
        return null;
    }
}
