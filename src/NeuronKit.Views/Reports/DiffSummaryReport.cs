using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>A layer's summary in <c>diff --json</c>.</summary>
/// <param name="Changed">Neurons whose weights or bias differ at all.</param>
/// <param name="L2Delta">‖W_b − W_a‖ over the layer's incoming weights.</param>
/// <param name="Relative">‖W_b − W_a‖ / ‖W_a‖.</param>
/// <param name="MaxAbs">The largest |w_b − w_a|.</param>
/// <param name="MeanCosine">The mean cosine of the neurons where it is defined.</param>
/// <param name="BecameDead">Neurons that became dead.</param>
/// <param name="Revived">Neurons dead in A and not in B.</param>
/// <param name="BiasSignChanged">Neurons whose bias changed sign.</param>
/// <param name="MostChanged">The indices of the neurons whose weights changed most relative to their norm in A, most first, a NaN change after every number.</param>
public sealed record DiffSummaryReport(
    int Changed, double L2Delta, double Relative, double MaxAbs, double MeanCosine, int BecameDead, int Revived, int BiasSignChanged,
    IReadOnlyList<long> MostChanged)
{
    /// <summary>The summary of <paramref name="layer"/>.</summary>
    public static DiffSummaryReport Of(LayerDiff layer) => new(
        layer.Changed, layer.L2Delta, layer.Relative, layer.MaxAbs, layer.MeanCosine, layer.BecameDead, layer.Revived,
        layer.BiasSignChanged, layer.MostChanged);
}
