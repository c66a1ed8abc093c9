using NeuronKit.Edits;

namespace NeuronKit.Views.Reports;

/// <summary><c>neuron prune --json</c>: the neurons removed per layer and every tensor's shape before and after.</summary>
/// <param name="File">The model file's name (no folder).</param>
/// <param name="Format">The format that read it.</param>
/// <param name="Output">Where the pruned model went, or null (a dry run).</param>
/// <param name="DryRun">True when nothing was written.</param>
/// <param name="Layers">Each pruned layer.</param>
/// <param name="Consumers">The layers whose inputs were cut to match.</param>
/// <param name="Tensors">Every tensor cut.</param>
public sealed record PruneReport(
    string File,
    string Format,
    string? Output,
    bool DryRun,
    IReadOnlyList<PrunedLayerReport> Layers,
    IReadOnlyList<string> Consumers,
    IReadOnlyList<TensorCutReport> Tensors) : IReport
{
    /// <summary>The report of <paramref name="prune"/>, planned or done (<paramref name="dryRun"/>: planned only).</summary>
    public static PruneReport Of(ModelPrune prune, bool dryRun) => new(
        prune.Model.Checkpoint.FileName,
        prune.Model.Checkpoint.Format,
        prune.WrittenTo,
        dryRun,
        [.. prune.Targets.Select(target => new PrunedLayerReport(target.Layer.Name, target.Layer.Kind,
            target.Layer.NeuronCount, target.Layer.NeuronCount - target.Removed.Count, target.Removed))],
        prune.Consumers,
        [.. prune.Cuts.Select(TensorCutReport.Of)]);
}
