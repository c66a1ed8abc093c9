using System.Text.Json.Serialization;
using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>A layer's summary in <c>stats --json</c>.</summary>
/// <param name="Weights">Incoming weights of all its neurons.</param>
/// <param name="ZeroFraction">The fraction of them that is zero (NaN without weights).</param>
/// <param name="Min">The smallest weight.</param>
/// <param name="Max">The largest weight.</param>
/// <param name="L2Median">The median of the neurons' L2 norms.</param>
/// <param name="L2Sigma">Their robust deviation (1.4826·MAD).</param>
/// <param name="OutlierK">How many deviations from the median make an outlier.</param>
/// <param name="Dead">Neurons whose incoming weights and bias are all zero.</param>
/// <param name="Duplicates">Neurons equal to an earlier one.</param>
/// <param name="Outliers">Neurons whose L2 norm is an outlier.</param>
/// <param name="Unused">Neurons whose outgoing weights are all zero.</param>
/// <param name="Similar">Neurons whose nearest neighbour reaches <paramref name="SimilarCosine"/>, when <c>--similar</c> asked; left out otherwise.</param>
/// <param name="SimilarCosine">The cosine asked for with <c>--similar</c>; left out otherwise.</param>
public sealed record LayerSummaryReport(
    long Weights, double ZeroFraction, double Min, double Max, double L2Median, double L2Sigma, double OutlierK,
    int Dead, int Duplicates, int Outliers, int Unused,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Similar = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SimilarCosine = null)
{
    /// <summary>The summary of <paramref name="layer"/>.</summary>
    public static LayerSummaryReport Of(LayerStats layer) => new(
        layer.Weights, layer.ZeroFraction, layer.Min, layer.Max, layer.NormMedian, layer.NormSigma, layer.OutlierK,
        layer.DeadCount, layer.DuplicateCount, layer.OutlierCount, layer.UnusedCount,
        layer.SimilarCosine is null ? null : layer.SimilarCount, layer.SimilarCosine);
}
