using NeuronKit.Tensors;

namespace NeuronKit.Neurons;

/// <summary>
/// One slice of a layer tensor that belongs to a neuron alone: <c>weight[j]</c>, <c>bias[j]</c>, the forget gate's
/// row of <c>weight_ih_l0</c>. Values are read from the file when asked for.
/// </summary>
public sealed class NeuronPart
{
    /// <summary>The full name of the tensor the slice is taken from.</summary>
    public required string Tensor { get; init; }

    /// <summary>The tensor's role in its layer (<c>weight</c>, <c>bias_hh</c>, <c>running_var</c>).</summary>
    public required string Role { get; init; }

    /// <summary>The gate for recurrent layers (<c>input</c>, <c>forget</c>, <c>cell</c>, <c>output</c>, <c>reset</c>, …), else null.</summary>
    public string? Gate { get; init; }

    /// <summary>The slice in PyTorch/NumPy syntax on the tensor as stored: <c>[2]</c>, <c>[:, 3]</c>, <c>[0:4, 1]</c>.</summary>
    public required string Index { get; init; }

    /// <summary>Why this slice and not the obvious one, where a raw index would take the wrong thing; else null.</summary>
    public string? Note { get; init; }

    /// <summary>The lazy view of the slice.</summary>
    public required TensorView View { get; init; }

    /// <summary>The slice's shape.</summary>
    public IReadOnlyList<long> Shape => View.Shape;

    /// <summary>The stored element type.</summary>
    public DType DType => View.DType;

    /// <summary>The values, row-major, converted exactly to double. Reads only this slice's bytes.</summary>
    public double[] ToDoubles() => View.ToDoubles();

    /// <summary>The values, row-major, as float.</summary>
    public float[] ToFloats() => View.ToFloats();
}
