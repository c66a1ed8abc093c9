using System.Runtime.InteropServices;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// A quantized GGUF tensor seen as float32 bytes, so a plain <see cref="TensorView"/> reads it: <see cref="Span"/>
/// decodes only the blocks covering the bytes asked for. Blocks run along ne[0] and a row is a whole number of them,
/// so element e lies in block e / BlockSize, whatever the shape.
/// </summary>
public sealed class DequantizedRows : ByteSource
{
    // One buffer per thread, reused: a span this source returns is valid until the same thread's next Span call
    // (TensorView converts each span before asking for the next).
    [ThreadStatic] private static float[]? t_values;

    private readonly ByteSource _source;
    private readonly long _dataOffset;
    private readonly long _elements;
    private readonly GgmlType _type;
    private long _blocksDecoded;

    internal DequantizedRows(ByteSource source, long dataOffset, long elements, GgmlType type)
    {
        _source = source;
        _dataOffset = dataOffset;
        _elements = elements;
        _type = type;
    }

    /// <summary>How the tensor is stored (<c>q4_k</c>).</summary>
    public string StoredAs => _type.Name;

    /// <summary>How many blocks have been decoded so far: reading one row decodes only that row's blocks.</summary>
    public long BlocksDecoded => Interlocked.Read(ref _blocksDecoded);

    /// <inheritdoc/>
    public override long Length => _elements * sizeof(float);

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        CheckRange(offset, length);
        if (length == 0) return [];
        int blockSize = _type.BlockSize;
        long firstBlock = offset / sizeof(float) / blockSize;
        long lastBlock = (offset + length - 1) / sizeof(float) / blockSize;
        int blocks = checked((int)(lastBlock - firstBlock + 1));
        int count = checked(blocks * blockSize);
        var values = t_values is { } buffer && buffer.Length >= count ? buffer : t_values = new float[count];
        var bytes = _source.Span(_dataOffset + firstBlock * _type.TypeSize, checked(blocks * _type.TypeSize));
        for (int i = 0; i < blocks; i++)
            _type.Decoder!(bytes.Slice(i * _type.TypeSize, _type.TypeSize), values.AsSpan(i * blockSize, blockSize));
        Interlocked.Add(ref _blocksDecoded, blocks);
        // Native float bytes are the little-endian bytes DTypeConversion reads on every platform .NET ships for.
        return MemoryMarshal.AsBytes(values.AsSpan(0, count)).Slice((int)(offset - firstBlock * blockSize * sizeof(float)), length);
    }
}
