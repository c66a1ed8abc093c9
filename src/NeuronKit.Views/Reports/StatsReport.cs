using System.Text.Json.Serialization;
using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>
/// <c>neuron stats --json</c>: per layer a summary and a row per neuron, then the skipped layers and the model's
/// summary. The rows are not held as JSON: <see cref="ReportJson"/> writes each layer's rows in chunks as it goes (see
/// <see cref="NeuronStatsRows"/>), so a model of a million neurons streams out.
/// </summary>
/// <param name="File">The model file's name (no folder).</param>
/// <param name="Format">The format that read it.</param>
/// <param name="Layers">Every measured layer, made as it is written.</param>
/// <param name="Skipped">The layers asked for but not measured; null (left out of the JSON) when there are none.</param>
/// <param name="Summary">The whole model's summary.</param>
public sealed record StatsReport(
    string File,
    string Format,
    IEnumerable<StatsLayerReport> Layers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SkippedLayerReport>? Skipped,
    ModelSummaryReport Summary) : IReport
{
    /// <summary>The report of <paramref name="stats"/>, each layer's neurons in <paramref name="order"/> (index order by default).</summary>
    public static StatsReport Of(ModelStats stats, StatsOrder? order = null)
    {
        var checkpoint = stats.Model.Checkpoint;
        order ??= StatsOrder.ByIndex;
        return new StatsReport(
            checkpoint.FileName,
            checkpoint.Format,
            stats.Layers.Select(layer => StatsLayerReport.Of(layer, order)),
            // Only when there are some, so the object of a model without complex layers stays as it was.
            stats.Skipped.Count == 0 ? null : [.. stats.Skipped.Select(SkippedLayerReport.Of)],
            ModelSummaryReport.Of(stats));
    }
}
