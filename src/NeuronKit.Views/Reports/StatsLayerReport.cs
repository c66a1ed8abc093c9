using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>One measured layer in <c>stats --json</c>: its summary and its neurons' rows.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Neurons">How many neurons were measured.</param>
/// <param name="Summary">The layer's summary.</param>
/// <param name="Stats">A row per neuron, in the order asked for (fewer with <c>--top</c>).</param>
public sealed record StatsLayerReport(string Name, string Kind, long Neurons, LayerSummaryReport Summary, NeuronStatsRows Stats)
{
    /// <summary>The report of <paramref name="layer"/>, its neurons in <paramref name="order"/>.</summary>
    public static StatsLayerReport Of(LayerStats layer, StatsOrder order) =>
        new(layer.Layer.Name, layer.Layer.Kind, layer.Neurons.Count, LayerSummaryReport.Of(layer),
            NeuronStatsRows.Of(order.Apply(layer), nearest: layer.SimilarCosine is not null));
}
