using System.Text.Json.Serialization;
using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>One neuron's row in <c>stats --json</c>: statistics of its incoming weights, its bias and its flags.</summary>
/// <param name="Neuron">The neuron's index.</param>
/// <param name="Weights">How many incoming weights it has.</param>
/// <param name="L1">Their L1 norm.</param>
/// <param name="L2">Their L2 norm.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Std">Their standard deviation.</param>
/// <param name="Min">The smallest.</param>
/// <param name="Max">The largest.</param>
/// <param name="ZeroFraction">The fraction that is zero.</param>
/// <param name="Bias">Its bias, or null.</param>
/// <param name="GateBiases">A recurrent unit's bias per gate (null where the gate's biases do not add); left out of the JSON for other layers.</param>
/// <param name="Dead">True when its weights and bias are all zero.</param>
/// <param name="DuplicateOf">The earlier neuron it equals, or null.</param>
/// <param name="Outlier">True when its L2 norm is an outlier in its layer.</param>
/// <param name="OutgoingL2">The L2 norm of its outgoing weights, or null when they were not measured.</param>
/// <param name="Unused">True when its outgoing weights are all zero.</param>
/// <param name="Nearest">Its nearest neighbour by cosine, when <c>--similar</c> asked for them; left out of the JSON otherwise.</param>
public sealed record NeuronStatsRow(
    long Neuron, long Weights, double L1, double L2, double Mean, double Std, double Min, double Max, double ZeroFraction,
    double? Bias,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, double?>? GateBiases,
    bool Dead, long? DuplicateOf, bool Outlier, double? OutgoingL2, bool Unused,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NearestReport? Nearest = null)
{
    /// <summary>The row of <paramref name="n"/>, with its nearest neighbour when <paramref name="nearest"/> (they were asked for).</summary>
    public static NeuronStatsRow Of(NeuronStats n, bool nearest = false) => new(
        n.Index, n.Weights, n.L1, n.L2, n.Mean, n.Std, n.Min, n.Max, n.ZeroFraction, n.Bias,
        n.GateBiases?.ToDictionary(g => g.Gate.Name, g => g.Bias),
        n.Dead, n.DuplicateOf, n.Outlier, n.OutgoingL2, n.Unused, NearestReport.Of(n, nearest));
}
