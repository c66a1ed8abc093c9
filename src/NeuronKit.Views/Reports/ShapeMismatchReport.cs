using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>A layer whose shapes differ between the two files, in <c>diff --json</c>.</summary>
/// <param name="Name">The layer's name in A.</param>
/// <param name="AShape">The first differing tensor's shape in A.</param>
/// <param name="BShape">Its shape in B.</param>
public sealed record ShapeMismatchReport(string Name, IReadOnlyList<long> AShape, IReadOnlyList<long> BShape)
{
    /// <summary>The report of <paramref name="mismatch"/>.</summary>
    public static ShapeMismatchReport Of(ShapeMismatch mismatch) => new(mismatch.Name, mismatch.AShape, mismatch.BShape);
}
