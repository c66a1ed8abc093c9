using System.Text.Json.Serialization;
using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>The whole model's summary in <c>stats --json</c>.</summary>
/// <param name="Layers">Measured layers.</param>
/// <param name="Neurons">Their neurons.</param>
/// <param name="Weights">Their incoming weights.</param>
/// <param name="ZeroFraction">The fraction of the weights that is zero (NaN without weights).</param>
/// <param name="Dead">Dead neurons.</param>
/// <param name="Duplicates">Duplicate neurons.</param>
/// <param name="Outliers">Outlier neurons.</param>
/// <param name="BytesRead">Bytes of weights and biases read.</param>
/// <param name="Similar">Neurons with a near-duplicate in their layer, when <c>--similar</c> asked; left out otherwise.</param>
public sealed record ModelSummaryReport(int Layers, long Neurons, long Weights, double ZeroFraction, long Dead, long Duplicates, long Outliers, long BytesRead,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Similar = null)
{
    /// <summary>The summary of <paramref name="stats"/>.</summary>
    public static ModelSummaryReport Of(ModelStats stats) => new(
        stats.Layers.Count, stats.NeuronCount, stats.Weights, stats.Weights == 0 ? double.NaN : (double)stats.Zeros / stats.Weights,
        stats.DeadCount, stats.DuplicateCount, stats.OutlierCount, stats.BytesRead,
        stats.Layers.Any(l => l.SimilarCosine is not null) ? stats.SimilarCount : null);
}
