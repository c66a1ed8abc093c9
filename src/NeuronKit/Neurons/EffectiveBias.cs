using System.Numerics;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Neurons;

/// <summary>
/// One gate's effective bias: its input-side and recurrent-side bias parts (<c>bias_ih</c> and <c>bias_hh</c>, or ONNX's
/// <c>Wb</c> and <c>Rb</c>), which the cell adds into one, except where <see cref="NotSummed"/> says why it does not.
/// </summary>
/// <param name="Gate">The gate, or null for an RNN's single block.</param>
/// <param name="Parts">The gate's bias parts, input side first.</param>
/// <param name="NotSummed">Why the parts do not add up (<c>the reset gate scales bias_hh</c>), or null when they do.</param>
public sealed record EffectiveBias(Gate? Gate, IReadOnlyList<NeuronPart> Parts, string? NotSummed)
{
    /// <summary>True when the cell adds the parts into one bias.</summary>
    public bool Sums => NotSummed is null;

    /// <summary>True when a bias part is complex: read the sum with <see cref="ComplexValue"/>.</summary>
    public bool IsComplex => Parts.Any(p => p.DType.IsComplex());

    /// <summary>
    /// The sum of the parts' values (reads them), or null where the cell does not add them; refuses complex parts
    /// (<see cref="IsComplex"/>) as <see cref="NeuronPart.ToDoubles"/> does.
    /// </summary>
    public double? Value() => Sums ? Parts.Sum(p => p.ToDoubles().Sum()) : null;

    /// <summary>The sum of the parts' values as a complex number (reads them), or null where the cell does not add them.</summary>
    public Complex? ComplexValue() => Sums ? Parts.SelectMany(p => p.ToComplex()).Aggregate(Complex.Zero, (sum, z) => sum + z) : null;
}
