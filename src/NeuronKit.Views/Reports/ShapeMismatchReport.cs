using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>A layer in both files that cannot be compared neuron by neuron, in <c>diff --json</c>.</summary>
/// <param name="Name">The layer's name in A.</param>
/// <param name="AShape">
/// The first differing tensor's shape in A, null when A has no such tensor; where the kinds or neuron counts differ,
/// A's weight's shape.
/// </param>
/// <param name="BShape">The same tensor's shape in B, null when B has none; B's weight's where the layers differ as a whole.</param>
/// <param name="Role">The role of the tensor the shapes are of (<c>weight</c>, <c>bias</c>).</param>
/// <param name="AKind">The layer's kind in A.</param>
/// <param name="BKind">The layer's kind in B.</param>
public sealed record ShapeMismatchReport(string Name, IReadOnlyList<long>? AShape, IReadOnlyList<long>? BShape, string Role, string AKind, string BKind)
{
    /// <summary>The report of <paramref name="mismatch"/>.</summary>
    public static ShapeMismatchReport Of(ShapeMismatch mismatch) =>
        new(mismatch.Name, mismatch.AShape, mismatch.BShape, mismatch.Role, mismatch.AKind, mismatch.BKind);
}
