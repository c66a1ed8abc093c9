using NeuronKit.Containers.Pickle;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

// torch._utils._rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params, requires_grad, backward_hooks),
// written by torch/_tensor.py _reduce_ex_internal with quantizer_params one of
//   (torch.per_tensor_affine, scale: float, zero_point: int)
//   (torch.per_channel_affine, scales: float64 tensor or list, zero_points: int64 tensor or list, axis: int)
// and for per_channel_affine_float_qparams (quantized embeddings) torch writes per_channel_affine too, with float32
// zero points: the zero points' dtype tells the schemes apart, as torch._empty_per_channel_affine_quantized does.
// https://pytorch.org/docs/stable/quantization-support.html
internal sealed partial class TorchTensorBuilder
{
    /// <summary>A quantized dtype's stored integers and the zero points it allows (c10 checkZeroPoint).</summary>
    private sealed record QuantizedType(DType Integers, long MinZeroPoint, long MaxZeroPoint);

    private static readonly Dictionary<string, QuantizedType> QuantizedTypes = new(StringComparer.Ordinal)
    {
        ["qint8"] = new(DType.Int8, sbyte.MinValue, sbyte.MaxValue),
        ["quint8"] = new(DType.UInt8, byte.MinValue, byte.MaxValue),
        ["qint32"] = new(DType.Int32, int.MinValue, int.MaxValue),
    };

    private const string PerTensorAffine = "per_tensor_affine";
    private const string PerChannelAffine = "per_channel_affine";

    /// <summary>Per channel with float zero points (quantized embeddings): quint8 only here, as PyTorch has it besides quint4x2.</summary>
    internal const string PerChannelAffineFloatQParams = "per_channel_affine_float_qparams";

    private View FromQuantized(string name, PickleTuple args)
    {
        if (args[0] is not PickleStorageRef storage)
            throw Malformed(name, "has no storage reference as its first argument");
        var type = TorchTypes.ByStorageClass(storage.StorageType.Name)
            ?? throw Malformed(name, $"is quantized but views a {storage.StorageType.FullName}, which has no element type");
        if (!QuantizedTypes.TryGetValue(type.DTypeName, out var quantized))
            throw new CheckpointException($"{fileName} holds tensor '{name}' as a quantized tensor of dtype {type.DTypeName}, " +
                "which NeuronKit does not read", [$"readable quantized dtypes: {string.Join(", ", QuantizedTypes.Keys)}"]);
        long byteLength;
        try
        {
            byteLength = checked(storage.Numel * type.ElementSize);
        }
        catch (OverflowException)
        {
            throw Malformed(name, $"has a storage of {storage.Numel} elements, too many to address");
        }
        var integers = Open(name, storage, byteLength);
        long offset = args[1] is long o ? o : throw Malformed(name, "has a storage offset that is not an int");
        long[] shape = Ints(name, args[2], "size"), strides = Ints(name, args[3], "stride");
        try
        {
            TensorInfo.Create(name, quantized.Integers, shape, strides, offset, integers);
        }
        catch (CheckpointException e)
        {
            throw new CheckpointException($"{fileName} is corrupt: {e.Message}", e.Hints, e);
        }
        var quantization = Quantizer(name, args[4], type.DTypeName, quantized, integers, shape, strides, offset);
        long elements = integers.ByteLength / type.ElementSize;
        var values = new TensorStorage(integers.Key, new DequantizedQTensor(quantization), 0, elements * sizeof(float));
        return new View(DType.Float32, shape, strides, offset, values, quantization);
    }

    // Every value is checked against the tensor it describes, so the dequantizer trusts them.
    private Quantization Quantizer(string name, object? paramsArg, string storedAs, QuantizedType type, TensorStorage integers,
        long[] shape, long[] strides, long offset)
    {
        if (paramsArg is not PickleTuple { Count: > 0 } qparams || qparams[0] is not PickleGlobal scheme)
            throw Malformed(name, "has quantizer parameters that are not a (qscheme, …) tuple");
        switch (scheme.Name)
        {
            case PerTensorAffine when qparams.Count == 3:
            {
                double scale = qparams[1] is double s ? s : throw Malformed(name, $"has a scale that is not a float ({qparams[1]})");
                long zeroPoint = qparams[2] is long z ? z : throw Malformed(name, $"has a zero point that is not an int ({qparams[2]})");
                CheckZeroPoint(name, type, storedAs, zeroPoint);
                return new Quantization(PerTensorAffine, storedAs, integers, type.Integers, [scale], [(double)zeroPoint], null, shape, strides, offset);
            }
            case PerChannelAffine or PerChannelAffineFloatQParams when qparams.Count == 4:
            {
                long axis = qparams[3] is long a ? a : throw Malformed(name, $"has a quantization axis that is not an int ({qparams[3]})");
                if (axis < 0 || axis >= shape.Length)
                    throw Malformed(name, $"has quantization axis {axis}, but it has {shape.Length} dimensions");
                if (!Quantization.IsNonOverlapping(shape, strides))
                    throw new CheckpointException($"{fileName} holds tensor '{name}' as a per-channel quantized tensor whose elements " +
                        $"overlap (strides [{string.Join(", ", strides)}] for shape [{string.Join(", ", shape)}]), which NeuronKit does not read");
                double[] scales = Numbers(name, qparams[1], "scales", shape[axis], out _, out var scalesTensor);
                double[] zeroPointValues = Numbers(name, qparams[2], "zero points", shape[axis], out bool floatParams, out var zeroPointsTensor);
                floatParams |= scheme.Name == PerChannelAffineFloatQParams;
                if (floatParams && storedAs != "quint8")
                    throw Malformed(name, $"is {storedAs} with float zero points, which PyTorch has only for quint8");
                for (int c = 0; c < zeroPointValues.Length && !floatParams; c++)
                {
                    double z = zeroPointValues[c];
                    if (z != Math.Floor(z)) throw Malformed(name, $"has zero point {z} for channel {c}, which is not an integer");
                    CheckZeroPoint(name, type, storedAs, z < long.MinValue || z > long.MaxValue ? long.MaxValue : (long)z, c);
                }
                return new Quantization(floatParams ? PerChannelAffineFloatQParams : PerChannelAffine, storedAs, integers, type.Integers, scales, zeroPointValues, (int)axis, shape,
                    strides, offset)
                {
                    ParameterTensors = scalesTensor is not null && zeroPointsTensor is not null ? [scalesTensor, zeroPointsTensor] : [],
                };
            }
            case PerTensorAffine or PerChannelAffine or PerChannelAffineFloatQParams:
                throw Malformed(name, $"has {qparams.Count} quantizer parameters for {scheme.FullName}");
            default:
                throw new CheckpointException($"{fileName} holds tensor '{name}' quantized as {scheme.FullName}, which NeuronKit does not read",
                    [$"readable schemes: torch.{PerTensorAffine}, torch.{PerChannelAffine}, torch.{PerChannelAffineFloatQParams}"]);
        }
    }

    private void CheckZeroPoint(string name, QuantizedType type, string storedAs, long zeroPoint, int? channel = null)
    {
        if (zeroPoint < type.MinZeroPoint || zeroPoint > type.MaxZeroPoint)
            throw Malformed(name, $"has zero point {zeroPoint}{(channel is { } c ? $" for channel {c}" : "")}, " +
                $"outside {type.MinZeroPoint}..{type.MaxZeroPoint} of {storedAs}");
    }

    // Per-channel scales and zero points: a 1-d tensor, or a list in files of older torch, of one number per channel;
    // floating tells whether they are stored as floats, tensor is the tensor that holds them (null for a list).
    private double[] Numbers(string name, object? arg, string what, long channels, out bool floating, out TensorInfo? tensor)
    {
        tensor = null;
        switch (arg)
        {
            case PickleCall call when IsTensor(call):
            {
                tensor = Build($"{name} {what}", call);
                if (tensor.Shape.Count != 1 || tensor.ElementCount != channels)
                    throw Malformed(name, $"has {what} of shape [{string.Join(", ", tensor.Shape)}], but its axis has {channels} channels");
                floating = tensor.DType.IsFloatingPoint();
                return tensor.View().ToDoubles();
            }
            case PickleList list:
                if (list.Items.Count != channels)
                    throw Malformed(name, $"has {list.Items.Count} {what}, but its axis has {channels} channels");
                floating = list.Items.Any(v => v is double);
                return [.. list.Items.Select(v => v switch
                {
                    double d => d,
                    long l => l,
                    _ => throw Malformed(name, $"has {what} holding {v?.GetType().Name ?? "None"}, not numbers"),
                })];
            default:
                throw Malformed(name, $"has {what} that are neither a tensor nor a list");
        }
    }
}
