using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>A layer of file A and the same layer in file B.</summary>
/// <param name="A">The layer in A.</param>
/// <param name="B">Its partner in B, which may be named otherwise (a llama.cpp GGUF's <c>blk.0.attn_q</c> for <c>model.layers.0.self_attn.q_proj</c>).</param>
/// <param name="BOrder">When B's converter reordered the neurons, which of B's is A's neuron j; null when neuron j is neuron j.</param>
/// <param name="BShift">When a converter added a constant to the weights of one file (Gemma's norms in a GGUF), what B's values are less before comparing; null otherwise.</param>
/// <param name="Kept">When a converter dropped trailing rows of the layer's weight (Gemma 3's embedding), the rows both keep; null otherwise.</param>
public sealed record LayerPair(Layer A, Layer B, NeuronOrder? BOrder = null, ValueShift? BShift = null, KeptRows? Kept = null)
{
    /// <summary>The index in B of A's neuron <paramref name="j"/>.</summary>
    public long BIndex(long j) => BOrder?.BIndex(j) ?? j;

    /// <summary>
    /// A's neuron for neuron <paramref name="index"/> (negative counts from the end) of A's layer
    /// <paramref name="name"/>: the index itself, unless that layer is one of those <see cref="A"/> was joined from
    /// (<c>ffn_gate_exps</c> beside <c>ffn_up_exps</c>), whose neuron k is the joined layer's neuron it became.
    /// </summary>
    public long AIndexOf(string name, long index)
    {
        if (A.Implementation is not IJoinedLayer joined) return index;
        int which = joined.Joined.ToList().FindIndex(l => l.Name == name);
        return which < 0 ? index : joined.NeuronOf(which, joined.Joined[which].Neuron(index).Index);
    }
}
