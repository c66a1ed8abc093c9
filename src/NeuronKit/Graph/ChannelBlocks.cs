namespace NeuronKit.Graph;

/// <summary>
/// A producer whose channels are equal blocks of which a consumer reads one (GPT-2's <c>c_attn</c>: q | k | v, of which
/// <c>c_proj</c> reads v): the block it carries, and why the others reach no slice of any consumer's weights. Or every block,
/// multiplied unit for unit before the consumer reads them (Phi-3's <c>gate_up_proj</c>: gate | up, of which
/// <c>down_proj</c>'s input i is act(gate unit i) · up unit i).
/// </summary>
/// <param name="Names">The blocks' names, in channel order (<c>query</c>, <c>key</c>, <c>value</c>).</param>
/// <param name="Carried">The block the consumer reads; null when it reads every block, folded onto the same inputs.</param>
/// <param name="Why">Why the other blocks have no outgoing slice, for the error (or how the folded blocks combine).</param>
public sealed record ChannelBlocks(IReadOnlyList<string> Names, int? Carried, string Why)
{
    /// <summary>Channels per block (the producer's neurons over the number of blocks).</summary>
    public long Size { get; init; }

    /// <summary>
    /// Each block's channels where they differ (a fused q | k | v of grouped-query attention: fewer key and value heads than
    /// query heads); null when every block has <see cref="Size"/>.
    /// </summary>
    public IReadOnlyList<long>? Sizes { get; init; }

    /// <summary>The first channel of the carried block.</summary>
    public long First => Start(Carried ?? 0);

    /// <summary>True when channel <paramref name="channel"/> is in the carried block (in any block, when they fold).</summary>
    public bool Carries(long channel) => Carried is not { } carried || (channel >= First && channel < First + Length(carried));

    /// <summary>Why <paramref name="producer"/>'s unit <paramref name="channel"/>, outside the carried block, has no outgoing slice.</summary>
    public string WhyNot(string producer, long channel, string consumer)
    {
        int block = Enumerable.Range(0, Names.Count).Last(b => Start(b) <= channel);
        int carried = Carried ?? 0;
        return $"unit {channel} of layer '{producer}' is a {Names[block]} unit (" +
            string.Join(", ", Names.Select((n, b) => $"{Start(b)}..{Start(b) + Length(b) - 1} {n}")) + $"): {Why}; only the {Names[carried]} units " +
            $"{First}..{First + Length(carried) - 1} have outgoing weights, in {consumer}";
    }

    private long Length(int block) => Sizes?[block] ?? Size;

    private long Start(int block) => Sizes?.Take(block).Sum() ?? block * Size;
}
