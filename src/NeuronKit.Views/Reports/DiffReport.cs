using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>
/// <c>neuron diff --json</c>: per compared layer a summary and a row per neuron, then the layers only in one file and
/// those in both that cannot be compared (shapes, a missing tensor or kinds differ).
/// </summary>
/// <param name="A">File A's name (no folder).</param>
/// <param name="B">File B's name.</param>
/// <param name="Layers">Every compared layer, made as it is written.</param>
/// <param name="OnlyInA">Names of the layers only A has.</param>
/// <param name="OnlyInB">Names of the layers only B has.</param>
/// <param name="Mismatched">The layers in both files that cannot be compared neuron by neuron.</param>
public sealed record DiffReport(
    string A,
    string B,
    IEnumerable<DiffLayerReport> Layers,
    IReadOnlyList<string> OnlyInA,
    IReadOnlyList<string> OnlyInB,
    IReadOnlyList<ShapeMismatchReport> Mismatched) : IReport
{
    /// <summary>The report of <paramref name="diff"/>, each layer's neurons in <paramref name="order"/> (index order by default).</summary>
    public static DiffReport Of(ModelDiff diff, DiffOrder? order = null)
    {
        order ??= DiffOrder.ByIndex;
        return new DiffReport(
            diff.A.Checkpoint.FileName,
            diff.B.Checkpoint.FileName,
            diff.Layers.Select(layer => DiffLayerReport.Of(layer, order)),
            [.. diff.OnlyInA.Select(l => l.Name)],
            [.. diff.OnlyInB.Select(l => l.Name)],
            [.. diff.Mismatched.Select(ShapeMismatchReport.Of)]);
    }
}
