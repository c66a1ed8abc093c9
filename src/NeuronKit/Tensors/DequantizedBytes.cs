using System.Buffers.Binary;

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
