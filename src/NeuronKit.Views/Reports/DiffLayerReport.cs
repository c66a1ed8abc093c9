using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>One compared layer in <c>diff --json</c>: its summary and its neurons' rows.</summary>
/// <param name="Name">The layer's name in A.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Neurons">How many neurons the layer has.</param>
/// <param name="Summary">The layer's summary.</param>
/// <param name="Stats">A row per neuron, in the order asked for (fewer with <c>--top</c>).</param>
public sealed record DiffLayerReport(string Name, string Kind, long Neurons, DiffSummaryReport Summary, IReadOnlyList<NeuronDiffRow> Stats)
{
    /// <summary>The report of <paramref name="layer"/>, its neurons in <paramref name="order"/>.</summary>
    public static DiffLayerReport Of(LayerDiff layer, DiffOrder order) =>
        new(layer.A.Name, layer.A.Kind, layer.A.NeuronCount, DiffSummaryReport.Of(layer), [.. order.Apply(layer).Select(NeuronDiffRow.Of)]);
}
