using System.Numerics;
using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>
/// Row-major values written as nested JSON arrays, one level per dimension of <see cref="Shape"/> (a scalar is a bare
/// value); a complex value is an <c>[re, im]</c> pair. Read back from JSON, the values are real and a complex part's
/// pairs are one more dimension of 2, which writes the same text again.
/// </summary>
[JsonConverter(typeof(NestedValuesConverter))]
public sealed class NestedValues
{
    private NestedValues(IReadOnlyList<long> shape, double[]? real, Complex[]? complex)
    {
        Shape = shape;
        Real = real;
        Complex = complex;
    }

    /// <summary>Real values of <paramref name="shape"/>, row-major.</summary>
    public static NestedValues Of(double[] values, IReadOnlyList<long> shape) => new(shape, values, null);

    /// <summary>Complex values of <paramref name="shape"/>, row-major.</summary>
    public static NestedValues Of(Complex[] values, IReadOnlyList<long> shape) => new(shape, null, values);

    /// <summary>One bare value.</summary>
    public static NestedValues Scalar(double value) => new([], [value], null);

    /// <summary>The dimensions the values nest as.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The values, row-major, when they are real.</summary>
    public double[]? Real { get; }

    /// <summary>The values, row-major, when they are complex.</summary>
    public Complex[]? Complex { get; }
}
