using System.Numerics;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Neurons;

/// <summary>
/// One slice of a layer tensor that belongs to a neuron alone: <c>weight[j]</c>, <c>bias[j]</c>, the forget gate's
/// row of <c>weight_ih_l0</c>. Values are read from the file when asked for.
/// </summary>
public sealed class NeuronPart
{
    /// <summary>The part of <paramref name="tensor"/> that <paramref name="slice"/> takes, playing <paramref name="role"/>.</summary>
    internal NeuronPart(TensorInfo tensor, PartRole role, TensorSlice slice, Gate? gate = null, string? note = null, bool shared = false)
    {
        Tensor = tensor.Name;
        Role = role;
        Gate = gate;
        Slice = slice;
        Expanded = SavedExpanded(tensor, slice);
        Note = note ?? (Expanded ? "saved expanded (stride 0): every neuron reads these same stored values" : null);
        Shared = shared || Expanded;
        View = slice.Apply(tensor.View());
        Quantization = tensor.Quantization;
        StoredAs = tensor.StoredAs;
    }

    private NeuronPart(NeuronPart part, PartDirection direction, string consumer, string? sharedBecause)
    {
        Tensor = part.Tensor;
        Role = part.Role;
        Gate = part.Gate;
        Slice = part.Slice;
        Note = sharedBecause ?? part.Note;
        Shared = part.Shared || sharedBecause is not null;
        Expanded = part.Expanded;
        View = part.View;
        Quantization = part.Quantization;
        StoredAs = part.StoredAs;
        Direction = direction;
        Consumer = consumer;
    }

    /// <summary>This part seen from a producer's neuron: <paramref name="direction"/>, on the way to <paramref name="consumer"/>.</summary>
    internal NeuronPart Toward(PartDirection direction, string consumer) => new(this, direction, consumer, null);

    /// <summary>
    /// This part on the way to <paramref name="consumer"/> as one that every channel passing there shares
    /// (<paramref name="because"/>: PReLU()'s one slope), which an edit leaves and a prune keeps whole.
    /// </summary>
    internal NeuronPart ThroughShared(string consumer, string because) => new(this, PartDirection.Through, consumer, because);

    /// <summary>Which side of the neuron the part is on: <see cref="PartDirection.In"/> for its own parts.</summary>
    public PartDirection Direction { get; } = PartDirection.In;

    /// <summary>For a through or out part, the name of the consumer layer it leads to; null for the neuron's own parts.</summary>
    public string? Consumer { get; }

    /// <summary>The full name of the tensor the slice is taken from.</summary>
    public string Tensor { get; }

    /// <summary>What the slice is to the neuron: its role's name (<c>weight</c>, <c>bias_hh</c>, <c>running_var</c>) and use.</summary>
    public PartRole Role { get; }

    /// <summary>The gate for recurrent layers (<c>input</c>, <c>forget</c>, …) and attention (<c>q</c>, <c>k</c>, <c>v</c>), else null.</summary>
    public Gate? Gate { get; }

    /// <summary>The slice of the tensor as stored, one item per leading dimension: an index, a range or the whole dimension.</summary>
    public TensorSlice Slice { get; }

    /// <summary>The slice in PyTorch/NumPy syntax: <c>[2]</c>, <c>[:, 3]</c>, <c>[0:4, 1]</c> (made from <see cref="Slice"/>).</summary>
    public string Index => Slice.ToString();

    /// <summary>Why this slice and not the obvious one, where a raw index would take the wrong thing; else null.</summary>
    public string? Note { get; }

    /// <summary>
    /// True when every neuron of the layer has this same slice (an ONNX Gemm's one bias broadcast to every output, a tensor
    /// saved expanded, see <see cref="Expanded"/>): it is
    /// not the neuron's alone, so an edit leaves it unless asked for by name and a prune keeps it whole.
    /// </summary>
    public bool Shared { get; }

    /// <summary>
    /// True when the part is <see cref="Shared"/> because its tensor is saved expanded (<c>torch.zeros(1).expand(8)</c>): the
    /// slice picks one entry of a dimension whose stride is 0, so every entry is the same stored bytes. A prune still cuts
    /// such a tensor, which has one entry per neuron, where it keeps a broadcast one whole.
    /// </summary>
    internal bool Expanded { get; }

    // A slice that takes part of a dimension of more than one entry with stride 0 takes bytes every other entry has too.
    private static bool SavedExpanded(TensorInfo tensor, TensorSlice slice) =>
        slice.Items.Select((item, dim) => (Item: item, Dim: dim)).Any(i => i.Dim < tensor.Shape.Count && i.Item.Kind != SliceKind.All
            && tensor.Shape[i.Dim] > 1 && tensor.Strides[i.Dim] == 0);

    /// <summary>The lazy view of the slice.</summary>
    public TensorView View { get; }

    /// <summary>The slice's shape.</summary>
    public IReadOnlyList<long> Shape => View.Shape;

    /// <summary>The stored element type.</summary>
    public DType DType => View.DType;

    /// <summary>
    /// How the file stores the tensor when that is not <see cref="DType"/> (<c>qint8</c>, <c>int8</c>, <c>q4_0</c> for values
    /// read dequantized); null when the stored bytes are <see cref="DType"/>.
    /// </summary>
    public string? StoredAs { get; }

    /// <summary>How the tensor is quantized when its values are dequantized stored integers; else null.</summary>
    public Quantization? Quantization { get; }

    /// <summary>
    /// The stored integers of the slice with their scales and zero points (or codes with their scales and codebook); null
    /// unless the tensor is quantized, as PyTorch and ONNX quantize tensors, as GPTQ, AWQ and compressed-tensors pack
    /// integers, or as a codebook layout keeps codes.
    /// </summary>
    public QuantizedValues? ToQuantized() => Quantization?.Read(View) ?? StoredIntegers.Read(View);

    /// <summary>True when <see cref="ToQuantized"/> has stored integers to give.</summary>
    public bool HasStoredIntegers => Quantization is not null || View.Storage.Source is IStoredIntegers or IStoredCodes;

    /// <summary>
    /// The values, row-major, converted exactly to double. Reads only this slice's bytes. Throws
    /// <see cref="RequestException"/> for a complex part (<see cref="DTypes.IsComplex"/>): read it with <see cref="ToComplex"/>.
    /// </summary>
    public double[] ToDoubles() => DType.IsComplex() ? throw DTypeConversion.NotReal(DType, $"{Tensor}{Index}") : View.ToDoubles();

    /// <summary>The values, row-major, as float; refuses a complex part as <see cref="ToDoubles"/> does.</summary>
    public float[] ToFloats() => DType.IsComplex() ? throw DTypeConversion.NotReal(DType, $"{Tensor}{Index}") : View.ToFloats();

    /// <summary>
    /// The values, row-major, as complex numbers: exact (re, im) for complex64 and complex128, imaginary part 0 for a
    /// real part. Reads only this slice's bytes.
    /// </summary>
    public Complex[] ToComplex() => View.ToComplex();
}
