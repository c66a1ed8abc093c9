namespace NeuronKit.Graph;

/// <summary>
/// Where a producer's channel j lands among a consumer's inputs: inputs [Offset + j·Spread, Offset + (j + 1)·Spread). The
/// identity is (0, 1); a flatten of S positions per channel spreads it over S inputs; a concatenation offsets it.
/// </summary>
/// <param name="Offset">The consumer input that channel 0 starts at.</param>
/// <param name="Spread">How many consecutive consumer inputs one channel feeds (1, or S after a flatten).</param>
public sealed record ChannelMap(long Offset, long Spread)
{
    /// <summary>Channel j is input j.</summary>
    public static readonly ChannelMap Identity = new(0, 1);

    /// <summary>
    /// The length of the blocks of the producer's channels that land on the same inputs, or null: channel j is then taken
    /// as j mod Fold (a gated unit's gate | up halves, multiplied unit for unit before the consumer reads them).
    /// </summary>
    public long? Fold { get; init; }

    /// <summary>
    /// Null, or how grouped-query attention shares the producer's value heads among query heads: channel j, unit Offset + j of
    /// the value heads, then feeds each of <see cref="SharedHeads.Inputs"/> (Spread is 1), not one run.
    /// </summary>
    public SharedHeads? Heads { get; init; }

    /// <summary>The first consumer input channel <paramref name="channel"/> feeds.</summary>
    public long First(long channel) => Firsts(channel).First();

    /// <summary>
    /// The first consumer input of each run of Spread that channel <paramref name="channel"/> feeds: one run, or one per query
    /// head that shares its value head.
    /// </summary>
    public IEnumerable<long> Firsts(long channel)
    {
        long j = Fold is { } fold ? channel % fold : channel;
        // Shared heads read one input each: Offset + j is the unit's place among the value heads (a fused q | k | v's value block).
        return Heads is { } heads ? heads.Inputs(Offset + j) : [Offset + j * Spread];
    }
}
