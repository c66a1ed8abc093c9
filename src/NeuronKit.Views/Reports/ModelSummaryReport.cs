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
public sealed record ModelSummaryReport(int Layers, long Neurons, long Weights, double ZeroFraction, long Dead, long Duplicates, long Outliers, long BytesRead)
{
    /// <summary>The summary of <paramref name="stats"/>.</summary>
    public static ModelSummaryReport Of(ModelStats stats) => new(
        stats.Layers.Count, stats.NeuronCount, stats.Weights, stats.Weights == 0 ? double.NaN : (double)stats.Zeros / stats.Weights,
        stats.DeadCount, stats.DuplicateCount, stats.OutlierCount, stats.BytesRead);
}
