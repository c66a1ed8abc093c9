namespace NeuronKit.Tensors;

/// <summary>
/// How a quantized tensor's stored integers map to its values (affine: <c>(q - zero_point) * scale</c>), with the
/// integers themselves, for a tensor that <see cref="TensorInfo"/> presents dequantized.
/// </summary>
public sealed class Quantization
{
    private readonly long _tensorOffset;
    // The tensor's dimensions of size > 1, largest stride first, and which of them is the axis (-1: none).
    private readonly (long Stride, long Size)[] _dims = [];
    private readonly int _axisAt = -1;

    internal Quantization(string scheme, string storedAs, TensorStorage integers, DType integerType, double[] scales,
        double[] zeroPoints, int? axis, IReadOnlyList<long> shape, IReadOnlyList<long> strides, long tensorOffset)
    {
        Scheme = scheme;
        StoredAs = storedAs;
        Integers = integers;
        IntegerType = integerType;
        Scales = scales;
        ZeroPoints = zeroPoints;
        Axis = axis;
        _tensorOffset = tensorOffset;
        if (axis is not { } a) return;
        var order = Enumerable.Range(0, shape.Count).Where(d => shape[d] > 1).OrderByDescending(d => strides[d]).ToArray();
        _dims = [.. order.Select(d => (strides[d], shape[d]))];
        _axisAt = Array.IndexOf(order, a);
    }

    /// <summary>
    /// True when no two elements of a tensor of <paramref name="shape"/> and <paramref name="strides"/> share a storage
    /// element, each stride passing every element the smaller strides reach: then an element's index is read back from
    /// its offset, largest stride first, as <see cref="ChannelOf"/> does.
    /// </summary>
    internal static bool IsNonOverlapping(IReadOnlyList<long> shape, IReadOnlyList<long> strides)
    {
        long reach = 0;
        foreach (int d in Enumerable.Range(0, shape.Count).Where(d => shape[d] > 1).OrderBy(d => strides[d]))
        {
            if (strides[d] <= reach) return false;
            reach += (shape[d] - 1) * strides[d];
        }
        return true;
    }

    /// <summary>The quantization scheme as PyTorch names it (<c>per_tensor_affine</c>, <c>per_channel_affine</c>,
    /// <c>per_channel_affine_float_qparams</c>).</summary>
    public string Scheme { get; }

    /// <summary>The stored type (<c>qint8</c>, <c>quint8</c>, <c>qint32</c>).</summary>
    public string StoredAs { get; }

    /// <summary>The storage of stored integers, element for element where the dequantized storage has its floats.</summary>
    public TensorStorage Integers { get; }

    /// <summary>The type of the stored integers (<see cref="DType.Int8"/> for qint8).</summary>
    public DType IntegerType { get; }

    /// <summary>One scale per channel, or the tensor's one scale.</summary>
    public IReadOnlyList<double> Scales { get; }

    /// <summary>One zero point per channel, or the tensor's one zero point: integers, but floats for <c>per_channel_affine_float_qparams</c>.</summary>
    public IReadOnlyList<double> ZeroPoints { get; }

    /// <summary>The dimension the channels run along; null for a per-tensor scheme.</summary>
    public int? Axis { get; }

    /// <summary>
    /// The tensors that hold the per-channel scales and zero points, where the file keeps them as tensors of their own
    /// (PyTorch's per-channel qtensors): a prune that removes channels cuts them too. Empty otherwise.
    /// </summary>
    internal IReadOnlyList<TensorInfo> ParameterTensors { get; init; } = [];

    /// <summary>The stored integers <paramref name="view"/> (a view of this tensor) dequantizes.</summary>
    public TensorView Stored(TensorView view) =>
        new(Integers, IntegerType, [.. view.Shape], [.. view.Strides], view.StorageOffset);

    /// <summary>The stored integers of <paramref name="view"/> (a view of this tensor), with their scales and zero points.</summary>
    public QuantizedValues Read(TensorView view)
    {
        long[] integers = [.. Stored(view).ToDoubles().Select(v => (long)v)];
        if (Axis is null) return new QuantizedValues(Scheme, integers, [Scales[0]], [ZeroPoints[0]], null);
        long[] channels = ChannelsOf(view);
        return new QuantizedValues(Scheme, integers, [.. channels.Select(c => Scales[(int)c])],
            [.. channels.Select(c => ZeroPoints[(int)c])], Axis);
    }

    /// <summary>The channel of each element of <paramref name="view"/>, row-major (all 0 for a per-tensor scheme).</summary>
    public long[] ChannelsOf(TensorView view) =>
        Axis is null ? new long[checked((int)view.ElementCount)] : [.. view.StorageElements().Select(ChannelOf)];

    /// <summary>
    /// The channel of storage element <paramref name="element"/> (0 per tensor): its index along the axis, read from its
    /// offset in the tensor largest stride first; elements the tensor does not cover get some channel, never read.
    /// </summary>
    internal long ChannelOf(long element)
    {
        if (_axisAt < 0 || element < _tensorOffset) return 0;
        long rest = element - _tensorOffset;
        for (int i = 0; i < _axisAt; i++) rest -= rest / _dims[i].Stride * _dims[i].Stride;
        return Math.Min(rest / _dims[_axisAt].Stride, _dims[_axisAt].Size - 1);
    }
}
