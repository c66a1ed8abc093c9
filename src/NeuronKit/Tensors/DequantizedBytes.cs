using System.Buffers.Binary;
using NeuronKit.Edits;

namespace NeuronKit.Tensors;

/// <summary>
/// A quantized tensor's stored integers seen as float32 bytes, element for element, so a plain <see cref="TensorView"/>
/// with the tensor's own strides and offset reads its values; only the elements asked for are decoded. Each format
/// gives its own rule for one integer (PyTorch's kernels and ONNX's DequantizeLinear round differently).
/// </summary>
public abstract class DequantizedBytes(Quantization quantization) : DecodedBytes
{
    private readonly TensorStorage _integers = quantization.Integers;
    private readonly int _integerSize = quantization.IntegerType.Size();

    /// <summary>The scheme, scales, zero points and axis the values are made with.</summary>
    protected Quantization Quantization { get; } = quantization;

    /// <inheritdoc/>
    public sealed override long Length => _integers.ByteLength / _integerSize * sizeof(float);

    /// <inheritdoc/>
    public sealed override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        long first = offset / sizeof(float), last = (offset + destination.Length - 1) / sizeof(float);
        int count = checked((int)(last - first + 1));
        var stored = _integers.Source.Span(_integers.ByteOffset + first * _integerSize, checked(count * _integerSize));
        // Elements a chunk at a time, then only the bytes asked for are copied out.
        Span<byte> chunk = stackalloc byte[256 * sizeof(float)];
        int skip = (int)(offset - first * sizeof(float)), written = 0;
        for (int done = 0; done < count; done += 256)
        {
            int n = Math.Min(256, count - done);
            for (int i = 0; i < n; i++)
                BinaryPrimitives.WriteSingleLittleEndian(chunk[(i * sizeof(float))..],
                    Dequantize(Integer(stored.Slice((done + i) * _integerSize, _integerSize)), first + done + i));
            var decoded = chunk[(done == 0 ? skip : 0)..(n * sizeof(float))];
            int take = Math.Min(decoded.Length, destination.Length - written);
            decoded[..take].CopyTo(destination[written..]);
            written += take;
        }
    }

    /// <summary>
    /// Plans the stored integers that give the float32 values in <paramref name="bytes"/>: each value quantized with its
    /// element's scale and zero point as the format's own quantizer does (<see cref="Quantize"/>), saturated to the
    /// integer type, then written over the integers' own bytes.
    /// </summary>
    public sealed override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches)
    {
        CheckRange(offset, bytes.Length);
        if (offset % sizeof(float) != 0 || bytes.Length % sizeof(float) != 0)
            throw new ArgumentException($"quantized values are written whole float32 elements at a time, not bytes {offset}..{offset + bytes.Length}");
        long first = offset / sizeof(float);
        int count = bytes.Length / sizeof(float);
        var integers = new byte[count * _integerSize];
        var (low, high) = Range(Quantization.IntegerType);
        for (int i = 0; i < count; i++)
        {
            long q = Math.Clamp(Quantize(BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]), first + i), low, high);
            WriteInteger(integers.AsSpan(i * _integerSize, _integerSize), q);
        }
        _integers.Source.Write(_integers.ByteOffset + first * _integerSize, integers, patches);
    }

    /// <summary>
    /// The stored integer for <paramref name="value"/> at storage element <paramref name="element"/>, before saturation:
    /// the format's own quantizer (<c>torch.quantize_per_channel</c>, ONNX <c>QuantizeLinear</c>).
    /// </summary>
    protected abstract long Quantize(float value, long element);

    private static (long Low, long High) Range(DType type) => type switch
    {
        DType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        DType.UInt8 => (byte.MinValue, byte.MaxValue),
        DType.Int16 => (short.MinValue, short.MaxValue),
        DType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        DType.Int32 => (int.MinValue, int.MaxValue),
        var other => throw new InvalidOperationException($"{other.Name()} is no quantized integer type"),
    };

    private void WriteInteger(Span<byte> destination, long q)
    {
        switch (Quantization.IntegerType)
        {
            case DType.Int8 or DType.UInt8: destination[0] = (byte)q; break;
            case DType.Int16 or DType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)q); break;
            default: BinaryPrimitives.WriteInt32LittleEndian(destination, (int)q); break;
        }
    }

    /// <summary>The value of stored integer <paramref name="q"/>, storage element <paramref name="element"/> (which gives its channel).</summary>
    protected abstract float Dequantize(long q, long element);

    private long Integer(ReadOnlySpan<byte> stored) => Quantization.IntegerType switch
    {
        DType.Int8 => (sbyte)stored[0],
        DType.UInt8 => stored[0],
        DType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(stored),
        DType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(stored),
        DType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(stored),
        var other => throw new InvalidOperationException($"{other.Name()} is no quantized integer type"),
    };
}
