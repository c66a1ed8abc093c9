using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>
/// One consumer of a layer's output: which layer reads it, how its channels map to the consumer's inputs, the per-channel
/// layers on the way (a BatchNorm after a conv), and what says so.
/// </summary>
/// <param name="Consumer">The layer whose weights multiply the producer's output.</param>
/// <param name="Map">Where channel j lands among the consumer's inputs.</param>
/// <param name="Groups">The groups the consumer is read with (a grouped convolution's; 1 otherwise).</param>
/// <param name="Through">Per-channel layers between producer and consumer, in data-flow order.</param>
/// <param name="Evidence">What decided the edge, one sentence each.</param>
/// <param name="Assumed">True when only names and shapes say so, not the file's graph or module order.</param>
public sealed record LayerEdge(Layer Consumer, ChannelMap Map, long Groups, IReadOnlyList<Layer> Through, IReadOnlyList<string> Evidence, bool Assumed)
{
    /// <summary>True when the consumer reads channel j after an add of two branches (a residual shortcut shares its weights).</summary>
    public bool Residual { get; init; }

    /// <summary>
    /// For a <see cref="Residual"/> edge: the other layers whose channel j the merges on the way add to the producer's channel
    /// j (each branch traced back to the layer that makes it), which a prune must cut with it; null when a branch does not
    /// come from a layer's channels one for one (a model input, a concatenation) or the graph does not say.
    /// </summary>
    public IReadOnlyList<Layer>? Branches { get; init; }

    /// <summary>The one block of the producer's channels the consumer reads (GPT-2's value third of c_attn); null: all of them.</summary>
    public ChannelBlocks? Blocks { get; init; }

    /// <summary>True when the consumer reads channel <paramref name="channel"/> of the producer (every channel, unless <see cref="Blocks"/> says otherwise).</summary>
    public bool Carries(long channel) => Blocks?.Carries(channel) ?? true;

    /// <summary>True when the consumer is the producer itself, reading its previous output (a recurrent layer's <c>weight_hh</c>).</summary>
    public bool Feedback { get; init; }

    /// <summary>
    /// True when the consumer reads the producer's channels as attention heads' values, merged head by head (an output
    /// projection reading a value projection): every head has the one head size, which a prune of some of a head's units breaks.
    /// </summary>
    public bool AttentionValues { get; init; }

    /// <summary>
    /// Why a prune cannot cut the producer's channels on the way to the consumer: a constant with an entry per channel that no
    /// layer holds alone, or not on dimension 0 (an ONNX <c>Mul</c> by a [1, C, 1, 1] scale); null when nothing on the way
    /// needs it or <see cref="Through"/> holds it.
    /// </summary>
    public string? Uncut { get; init; }

    /// <summary>
    /// Where channel 0 of the producer sits in each layer of <see cref="Through"/> that reads it beside other channels (a
    /// DenseNet BatchNorm after the Concat of the block's input and the layer's output: channel j is its entry offset + j);
    /// a layer not here reads channel j as its entry j.
    /// </summary>
    public IReadOnlyDictionary<Layer, long> ThroughOffsets { get; init; } = new Dictionary<Layer, long>();

    /// <summary>
    /// The entry of <paramref name="through"/> (a layer of <see cref="Through"/>) that channel <paramref name="channel"/> is: entry
    /// 0 of one that every channel shares (PReLU()'s one slope).
    /// </summary>
    public long ThroughIndex(Layer through, long channel) =>
        through.Implementation.SharedByEveryChannel(through) ? 0 : ThroughOffsets.GetValueOrDefault(through) + channel;

    /// <summary>
    /// The layers of <see cref="Through"/> that are an operation's per-channel constant (an ONNX PRelu's slope, a Mul's layer
    /// scale), whatever kind their tensor alone reads as: they scale channel j by entry j, and take no statistics.
    /// </summary>
    public IReadOnlyList<Layer> Constants { get; init; } = [];
}
