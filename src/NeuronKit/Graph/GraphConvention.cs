using System.Globalization;
using System.Text.RegularExpressions;

namespace NeuronKit.Graph;

/// <summary>
/// One family's names for what reads a layer's output. Templates name layers by the producer's groups: <c>{b}</c> is group
/// b's text, <c>{k+1}</c> group k's number plus one.
/// </summary>
/// <param name="Producer">The producer's whole name, with named groups for the templates.</param>
/// <param name="Consumers">The layers that read the producer's output; the convention applies when one of them exists.</param>
/// <param name="Through">Per-channel layers between them (a BatchNorm), used where they exist.</param>
/// <param name="Source">Whose convention it is, for the evidence sentence.</param>
/// <param name="Concatenated">
/// Layers whose outputs are concatenated, in order, before the consumers read them (a bidirectional recurrent layer's two
/// directions); the producer's channel j is input (the channels before it) + j. Empty when the producer's output is read alone.
/// </param>
/// <param name="Blocks">
/// The block of the producer's channels the consumers read when they read one of several equal blocks (GPT-2's c_attn:
/// q | k | v, of which c_proj reads v); the producer's unit First + i is then the consumers' input i.
/// </param>
/// <param name="ValueHeads">
/// True when the producer is an attention's value projection (or holds one as a block) and the consumers its output
/// projection: its units are places of heads of one size (<see cref="LayerEdge.AttentionValues"/>), and under grouped-query
/// attention, whose heads the model's files state (<see cref="AttentionHeads"/>), each reaches one input per query head of its
/// group.
/// </param>
/// <param name="Residual">
/// True when the consumers read the producer's channel after an add of a shortcut; such a convention applies only where all
/// its <paramref name="Through"/> layers exist (they are what marks the block).
/// </param>
internal sealed partial record GraphConvention(string Producer, IReadOnlyList<string> Consumers, IReadOnlyList<string> Through, string Source,
    IReadOnlyList<string> Concatenated, ChannelBlocks? Blocks = null, bool Residual = false, bool ValueHeads = false)
{
    private readonly Regex _producer = new($"^(?:{Producer})$", RegexOptions.CultureInvariant);

    /// <summary>The producer name's match, or null when the convention does not speak of it.</summary>
    public Match? MatchProducer(string name) => _producer.Match(name) is { Success: true } m ? m : null;

    /// <summary><paramref name="template"/> with the groups of <paramref name="match"/> filled in.</summary>
    public static string Expand(string template, Match match) => Placeholder().Replace(template, p =>
    {
        string value = match.Groups[p.Groups["group"].Value].Value;
        return p.Groups["next"].Success ? (long.Parse(value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture) : value;
    });

    [GeneratedRegex(@"\{(?<group>\w+)(?<next>\+1)?\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
