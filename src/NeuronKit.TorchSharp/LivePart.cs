using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// One part of a live neuron: the NeuronKit part (tensor name, role, gate, index, values) and the same slice as a TorchSharp
/// view of the module's own tensor (no copy, detached from autograd).
/// </summary>
public sealed class LivePart
{
    internal LivePart(NeuronPart part, Tensor tensor)
    {
        Part = part;
        Tensor = tensor;
    }

    /// <summary>The NeuronKit part: what <c>neuron show</c> prints for a file.</summary>
    public NeuronPart Part { get; }

    /// <summary>The slice as a TorchSharp view of the module's tensor: <c>state_dict()[Name][Index]</c>, on the tensor's device.</summary>
    public Tensor Tensor { get; }

    /// <summary>The full name of the module tensor the slice is taken from (<c>rnn.weight_ih_l0</c>).</summary>
    public string Name => Part.Tensor;

    /// <summary>What the slice is to the neuron: its role's name (<c>weight</c>, <c>bias_hh</c>, <c>running_var</c>) and use.</summary>
    public PartRole Role => Part.Role;

    /// <summary>The gate for recurrent layers (<c>input</c>, <c>forget</c>, …) and attention (<c>q</c>, <c>k</c>, <c>v</c>), else null.</summary>
    public Gate? Gate => Part.Gate;

    /// <summary>Which side of the neuron the part is on: its own (in), a layer on the way (through) or a consumer's weights (out).</summary>
    public PartDirection Direction => Part.Direction;

    /// <summary>For a through or out part, the consumer layer's name; else null.</summary>
    public string? Consumer => Part.Consumer;

    /// <summary>The slice in PyTorch syntax on the tensor: <c>[2]</c>, <c>[:, 3]</c>, <c>[0:4, 1]</c>.</summary>
    public string Index => Part.Index;

    /// <summary>The slice's shape.</summary>
    public IReadOnlyList<long> Shape => Part.Shape;

    /// <summary>The element type.</summary>
    public DType DType => Part.DType;

    /// <summary>
    /// The values, row-major, converted exactly to double (read from CPU memory in place); refuses a complex part
    /// (see <see cref="ToComplex"/>).
    /// </summary>
    public double[] ToDoubles() => Part.ToDoubles();

    /// <summary>The values, row-major, as float; refuses a complex part.</summary>
    public float[] ToFloats() => Part.ToFloats();

    /// <summary>The values, row-major, as complex numbers (exact for ComplexFloat32 and ComplexFloat64).</summary>
    public System.Numerics.Complex[] ToComplex() => Part.ToComplex();

    /// <inheritdoc/>
    public override string ToString() => $"{Name}{Index}";
}
