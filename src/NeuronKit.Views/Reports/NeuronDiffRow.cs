using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>One neuron's row in <c>diff --json</c>.</summary>
/// <param name="Neuron">The neuron's index.</param>
/// <param name="L2Delta">‖w_b − w_a‖ over its incoming weights.</param>
/// <param name="Relative">‖w_b − w_a‖ / ‖w_a‖.</param>
/// <param name="Cosine">The cosine of w_a and w_b.</param>
/// <param name="MaxAbs">max |w_b − w_a|.</param>
/// <param name="BiasDelta">b_b − b_a; null where the layer has no bias or several.</param>
/// <param name="Flags">became_dead, revived, bias_sign_changed.</param>
public sealed record NeuronDiffRow(long Neuron, double L2Delta, double Relative, double Cosine, double MaxAbs, double? BiasDelta, IReadOnlyList<string> Flags)
{
    /// <summary>The row of <paramref name="n"/>.</summary>
    public static NeuronDiffRow Of(NeuronDiff n) => new(n.Index, n.L2Delta, n.Relative, n.Cosine, n.MaxAbs, n.BiasDelta, DiffFlagNames.Of(n.Flags));
}
