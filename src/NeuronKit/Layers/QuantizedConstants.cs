using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// Constants an ONNX graph stores as integers and dequantizes (<c>DequantizeLinear</c>, and the weight operands of
/// <c>QLinearConv</c>, <c>QLinearMatMul</c>, <c>MatMulInteger</c>, <c>ConvInteger</c>): each is read as a float32 tensor of
/// the values <c>DequantizeLinear</c> gives, lazily, with the stored integers, scales and zero points on request. Every
/// scale and zero point is checked against the integers it describes, so the arithmetic trusts them.
/// https://onnx.ai/onnx/operators/onnx__DequantizeLinear.html
/// </summary>
internal sealed class QuantizedConstants(Checkpoint checkpoint)
{
    /// <summary>The stored integer types NeuronKit dequantizes, with the zero points each allows (int32: 0 only, as the operator says).</summary>
    private static readonly Dictionary<DType, (long Min, long Max)> IntegerTypes = new()
    {
        [DType.Int8] = (sbyte.MinValue, sbyte.MaxValue),
        [DType.UInt8] = (byte.MinValue, byte.MaxValue),
        [DType.Int16] = (short.MinValue, short.MaxValue),
        [DType.Int32] = (0, 0),
    };

    private const string PerTensor = "per_tensor_affine";
    private const string PerAxis = "per_channel_affine"; // PyTorch's name for one scale per index of an axis

    private readonly string _file = checkpoint.FileName;
    private readonly Dictionary<TensorInfo, QuantizedOperand> _operands = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, TensorInfo> _byOutput = new(StringComparer.Ordinal);
    private readonly HashSet<GraphNode> _seeking = new(ReferenceEqualityComparer.Instance);

    /// <summary>How <paramref name="tensor"/> was dequantized, or null when it is a tensor of the file as stored.</summary>
    public QuantizedOperand? Operand(TensorInfo tensor) => _operands.GetValueOrDefault(tensor);

    /// <summary>
    /// The output of DequantizeLinear <paramref name="node"/> when x, x_scale and x_zero_point are constants
    /// (<paramref name="constant"/> finds them), else null. Throws <see cref="CheckpointException"/> for inputs the
    /// operator does not allow or NeuronKit does not read.
    /// </summary>
    public TensorInfo? FromDequantizeLinear(GraphNode node, Func<string, TensorInfo?> constant)
    {
        string output = node.Outputs.FirstOrDefault() ?? "";
        if (_byOutput.TryGetValue(output, out var known)) return known;
        string by = $"DequantizeLinear '{node.LayerName}'";
        if (node.Input(0) is not { } xName || node.Input(1) is not { } scaleName) return null;
        // A file's graph may loop back on itself: a DequantizeLinear met again while its own inputs are sought is no constant.
        if (!_seeking.Add(node)) return null;
        TensorInfo? x, scale, zeroPoint;
        try
        {
            x = constant(xName);
            scale = constant(scaleName);
            zeroPoint = node.Input(2) is { } zeroPointName ? constant(zeroPointName) : null;
        }
        finally
        {
            _seeking.Remove(node);
        }
        if (x is null && checkpoint.Graph.UnreadTensors.TryGetValue(xName, out string? type))
            throw Refused($"{by} dequantizes '{xName}', which is {type}: NeuronKit dequantizes {Readable}");
        if (x is null || scale is null || (node.Input(2) is not null && zeroPoint is null)) return null;
        if (node.Int("block_size", 0) != 0)
            throw Refused($"{by} has block_size {node.Int("block_size", 0)} (blocked quantization, opset 21), which NeuronKit does not read");
        return _byOutput[output] = Affine(by, x, scale, zeroPoint, node.Int("axis", 1)).Tensor;
    }

    /// <summary>
    /// <paramref name="x"/> dequantized by <paramref name="by"/> with <paramref name="scale"/> (null: the graph gives none,
    /// so the values are x − zero_point) and <paramref name="zeroPoint"/> (null: 0): per tensor when they hold one entry,
    /// else one per index of <paramref name="axis"/> of x.
    /// </summary>
    public QuantizedOperand Affine(string by, TensorInfo x, TensorInfo? scale, TensorInfo? zeroPoint, long axis)
    {
        CheckIntegers(by, x);
        var reference = scale ?? zeroPoint;
        if (scale is not null && scale.DType != DType.Float32)
            throw Refused($"{by} has scale '{scale.Name}' of type {scale.DType.Name()}: " +
                (scale.DType.IsFloatingPoint() ? "NeuronKit reads float32 scales" : "a scale is a float"));
        // One shape, as the operator says; a scalar beside a [1] is one value either way, as ONNX Runtime takes it.
        if (scale is not null && zeroPoint is not null && !zeroPoint.Shape.SequenceEqual(scale.Shape) && !(IsOne(scale) && IsOne(zeroPoint)))
            throw Corrupt($"{by} has zero point '{zeroPoint.Name}' {zeroPoint.Shape.Text()} and scale '{scale.Name}' " +
                $"{scale.Shape.Text()}: they must have one shape");
        if (zeroPoint is not null && zeroPoint.DType != x.DType)
            throw Corrupt($"{by} has zero point '{zeroPoint.Name}' of type {zeroPoint.DType.Name()} for '{x.Name}' of type " +
                $"{x.DType.Name()}: they must have one type");
        int? along = null;
        if (reference is not null && !IsOne(reference))
        {
            if (reference.Shape.Count > 1)
                throw Refused($"{by} has scale '{reference.Name}' {reference.Shape.Text()} of rank {reference.Shape.Count}: " +
                    "blocked quantization (opset 21), which NeuronKit does not read");
            int rank = x.Shape.Count;
            if (axis < -rank || axis >= rank)
                throw Corrupt($"{by} has axis {axis}, outside {-rank}..{rank - 1} for '{x.Name}' {x.Shape.Text()}");
            along = (int)(axis < 0 ? axis + rank : axis);
            if (reference.Shape[0] != x.Shape[along.Value])
                throw Corrupt($"{by} has {(scale is null ? "zero point" : "scale")} '{reference.Name}' {reference.Shape.Text()}, " +
                    $"but axis {along} of '{x.Name}' {x.Shape.Text()} has {x.Shape[along.Value]} entries");
        }
        double[] scales = scale is null ? [1.0] : scale.View().ToDoubles();
        double[] zeroPoints = zeroPoint is null ? [0.0] : zeroPoint.View().ToDoubles();
        if (along is { } a)
        {
            if (scale is null) scales = [.. Enumerable.Repeat(1.0, (int)x.Shape[a])];
            if (zeroPoint is null) zeroPoints = new double[x.Shape[a]];
        }
        CheckZeroPoints(by, x, zeroPoint, zeroPoints);
        List<LayerTensor> parameters = [];
        if (scale is not null) parameters.Add(new("scale", scale));
        if (zeroPoint is not null) parameters.Add(new("zero_point", zeroPoint));
        string how = (scale is null ? "no scale, so q − zero_point" : "(q − zero_point) · scale in float32") +
            $" with {(scale is null ? "scale 1" : $"scale {scale.Name} {scale.Shape.Text()}")}" +
            $" and {(zeroPoint is null ? "zero point 0" : $"zero point {zeroPoint.Name} {zeroPoint.Shape.Text()}")}" +
            (along is { } axisOf ? $", per index of axis {axisOf}" : ", per tensor");
        return Make(by, x, scales, zeroPoints, along, parameters, how);
    }

    /// <summary>
    /// An int32 bias <paramref name="bias"/> that <paramref name="by"/> adds in the integer domain, dequantized with
    /// scale x_scale · w_scale[j] (float32, as ONNX Runtime's quantizer computes it) and zero point 0.
    /// </summary>
    public QuantizedOperand Bias(string by, TensorInfo bias, TensorInfo inputScale, QuantizedOperand weight)
    {
        if (bias.DType != DType.Int32)
            throw Corrupt($"{by} has bias '{bias.Name}' of type {bias.DType.Name()}; its bias is int32");
        if (inputScale.DType != DType.Float32 || inputScale.ElementCount != 1)
            throw Refused($"{by} has input scale '{inputScale.Name}' {inputScale.Shape.Text()} {inputScale.DType.Name()}: " +
                "NeuronKit reads one float32 input scale");
        var w = weight.Tensor.Quantization!;
        if (bias.Shape.Count != 1 || (w.Axis is { } axis && bias.Shape[0] != weight.Tensor.Shape[axis]))
            throw Corrupt($"{by} has bias '{bias.Name}' {bias.Shape.Text()}, not one entry per output channel of '{weight.Tensor.Name}' {weight.Tensor.Shape.Text()}");
        float x = (float)inputScale.View().ToDoubles()[0];
        double[] scales = [.. w.Scales.Select(s => (double)(x * (float)s))];
        int? along = w.Axis is null ? null : 0;
        return Make(by, bias, scales, new double[scales.Length], along, [new("input_scale", inputScale)],
            $"q · scale in float32 with scale {inputScale.Name} · {weight.Parameters[0].Tensor.Name} (input scale times weight scale, " +
            $"as ONNX Runtime writes the bias) and zero point 0" + (along is null ? ", per tensor" : ", per output channel"));
    }

    private QuantizedOperand Make(string by, TensorInfo x, double[] scales, double[] zeroPoints, int? axis,
        IReadOnlyList<LayerTensor> parameters, string how)
    {
        if (axis is not null && !Quantization.IsNonOverlapping(x.Shape, x.Strides))
            throw Refused($"{by} dequantizes '{x.Name}', whose elements overlap, which NeuronKit does not read");
        string storedAs = x.DType.Name();
        var quantization = new Quantization(axis is null ? PerTensor : PerAxis, storedAs, x.Storage, x.DType, scales, zeroPoints,
            axis, x.Shape, x.Strides, x.StorageOffset);
        long elements = x.Storage.ByteLength / x.DType.Size();
        var values = new TensorStorage($"{x.Storage.Key} dequantized by {by}", new DequantizeLinearBytes(quantization), 0, elements * sizeof(float));
        var tensor = TensorInfo.Create(x.Name, DType.Float32, [.. x.Shape], [.. x.Strides], x.StorageOffset, values)
            with { StoredAs = storedAs, Quantization = quantization, ByteSize = x.ByteSize };
        var operand = new QuantizedOperand(tensor, parameters, $"{x.Name} {x.Shape.Text()} {storedAs} is dequantized by {by}: {how}");
        _operands[tensor] = operand;
        return operand;
    }

    private static bool IsOne(TensorInfo tensor) => tensor.Shape.Count <= 1 && tensor.ElementCount == 1;

    private static string Readable => string.Join(", ", IntegerTypes.Keys.Select(t => t.Name()));

    private void CheckIntegers(string by, TensorInfo x)
    {
        if (!IntegerTypes.ContainsKey(x.DType))
            throw Refused($"{by} dequantizes '{x.Name}' of type {x.DType.Name()}: NeuronKit dequantizes {Readable}");
    }

    private void CheckZeroPoints(string by, TensorInfo x, TensorInfo? zeroPoint, double[] zeroPoints)
    {
        var (min, max) = IntegerTypes[x.DType];
        for (int c = 0; c < zeroPoints.Length; c++)
            if (zeroPoints[c] < min || zeroPoints[c] > max)
                throw Corrupt($"{by} has zero point {zeroPoints[c]}{(zeroPoints.Length > 1 ? $" at {c}" : "")} in '{zeroPoint?.Name}' " +
                    $"for {x.DType.Name()} '{x.Name}'" + (x.DType == DType.Int32 ? ", whose zero point is 0" : $", outside {min}..{max}"));
    }

    private CheckpointException Corrupt(string message) => new($"{_file} is corrupt: {message}");

    private CheckpointException Refused(string message) => new($"{_file}: {message}");
}
