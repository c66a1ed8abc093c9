namespace NeuronKit.Graph;

/// <summary>
/// A producer whose channels are equal blocks of which a consumer reads one (GPT-2's <c>c_attn</c>: q | k | v, of which
/// <c>c_proj</c> reads v): the block it carries, and why the others reach no slice of any consumer's weights.
/// </summary>
/// <param name="Names">The blocks' names, in channel order (<c>query</c>, <c>key</c>, <c>value</c>).</param>
/// <param name="Carried">The block the consumer reads.</param>
/// <param name="Why">Why the other blocks have no outgoing slice, for the error.</param>
public sealed record ChannelBlocks(IReadOnlyList<string> Names, int Carried, string Why)
{
    /// <summary>Channels per block (the producer's neurons over the number of blocks).</summary>
    public long Size { get; init; }

    /// <summary>The first channel of the carried block.</summary>
    public long First => Carried * Size;

    /// <summary>True when channel <paramref name="channel"/> is in the carried block.</summary>
    public bool Carries(long channel) => channel >= First && channel < First + Size;

    /// <summary>Why <paramref name="producer"/>'s unit <paramref name="channel"/>, outside the carried block, has no outgoing slice.</summary>
    public string WhyNot(string producer, long channel, string consumer) =>
        $"unit {channel} of layer '{producer}' is a {Names[(int)(channel / Size)]} unit (" +
        string.Join(", ", Names.Select((n, b) => $"{b * Size}..{(b + 1) * Size - 1} {n}")) + $"): {Why}; only the {Names[Carried]} units " +
        $"{First}..{First + Size - 1} have outgoing weights, in {consumer}";
}
