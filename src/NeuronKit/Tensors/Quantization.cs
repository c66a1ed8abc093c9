namespace NeuronKit.Tensors;

/// <summary>
/// How a quantized tensor's stored integers map to its values (affine: <c>(q - zero_point) * scale</c>), with the
/// integers themselves, for a tensor that <see cref="TensorInfo"/> presents dequantized.
/// </summary>
public sealed class Quantization
{
    private readonly long _tensorOffset;
    private readonly long _axisStride;
    private readonly long _axisSize;

    internal Quantization(string scheme, string storedAs, TensorStorage integers, DType integerType, double[] scales,
        long[] zeroPoints, int? axis, long tensorOffset, long axisStride, long axisSize)
    {
        Scheme = scheme;
        StoredAs = storedAs;
        Integers = integers;
        IntegerType = integerType;
        Scales = scales;
        ZeroPoints = zeroPoints;
        Axis = axis;
        _tensorOffset = tensorOffset;
        _axisStride = axisStride;
        _axisSize = axisSize;
    }

    /// <summary>The quantization scheme as PyTorch names it (<c>per_tensor_affine</c>, <c>per_channel_affine</c>).</summary>
    public string Scheme { get; }

    /// <summary>The stored type (<c>qint8</c>, <c>quint8</c>, <c>qint32</c>).</summary>
    public string StoredAs { get; }

    /// <summary>The storage of stored integers, element for element where the dequantized storage has its floats.</summary>
    public TensorStorage Integers { get; }

    /// <summary>The type of the stored integers (<see cref="DType.Int8"/> for qint8).</summary>
    public DType IntegerType { get; }

    /// <summary>One scale per channel, or the tensor's one scale.</summary>
    public IReadOnlyList<double> Scales { get; }

    /// <summary>One zero point per channel, or the tensor's one zero point.</summary>
    public IReadOnlyList<long> ZeroPoints { get; }

    /// <summary>The dimension the channels run along; null for a per-tensor scheme.</summary>
    public int? Axis { get; }

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
    public long[] ChannelsOf(TensorView view)
    {
        var channels = new long[checked((int)view.ElementCount)];
        if (Axis is null || channels.Length == 0) return channels;
        var shape = view.Shape;
        var strides = view.Strides;
        var index = new long[shape.Count];
        for (int i = 0; i < channels.Length; i++)
        {
            long element = view.StorageOffset;
            for (int d = 0; d < index.Length; d++) element += index[d] * strides[d];
            channels[i] = ChannelOf(element);
            for (int d = index.Length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        return channels;
    }

    /// <summary>The channel of storage element <paramref name="element"/> of a contiguous per-channel tensor.</summary>
    internal long ChannelOf(long element) =>
        Axis is null || _axisSize == 0 || element < _tensorOffset ? 0 : (element - _tensorOffset) / _axisStride % _axisSize;
}
