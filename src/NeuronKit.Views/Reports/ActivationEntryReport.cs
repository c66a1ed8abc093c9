namespace NeuronKit.Views.Reports;

/// <summary>One input's activation of a neuron: an activation map, a value, or a value per position.</summary>
/// <param name="Input">The input file (<c>x.npy</c>), with the batch item when it holds several (<c>x.npy[3]</c>).</param>
/// <param name="Shape">The values' shape: [H, W] for a convolution, [] for a Linear, [T] per position or time step.</param>
/// <param name="Values">The values, nested as <paramref name="Shape"/> (a bare number for []).</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Max">Their largest.</param>
public sealed record ActivationEntryReport(string Input, IReadOnlyList<long> Shape, NestedValues Values, double Mean, double Max)
{
    /// <summary>The entry for <paramref name="values"/> of <paramref name="shape"/>, row-major.</summary>
    public static ActivationEntryReport Of(string input, IReadOnlyList<long> shape, double[] values) =>
        new(input, shape, shape.Count == 0 ? NestedValues.Scalar(values[0]) : NestedValues.Of(values, shape), values.Average(), values.Max());
}
