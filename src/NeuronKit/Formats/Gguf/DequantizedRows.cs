using System.Runtime.InteropServices;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// A quantized GGUF tensor seen as float32 bytes, so a plain <see cref="TensorView"/> reads it: only the blocks covering
/// the bytes asked for are decoded. Blocks run along ne[0] and a row is a whole number of them, so element e lies in
/// block e / BlockSize, whatever the shape.
/// </summary>
public sealed class DequantizedRows : DecodedBytes
{
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
    public override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        int blockSize = _type.BlockSize, typeSize = _type.TypeSize, blockBytes = blockSize * sizeof(float);
        long firstBlock = offset / blockBytes, lastBlock = (offset + destination.Length - 1) / blockBytes;
        int blocks = checked((int)(lastBlock - firstBlock + 1));
        var encoded = _source.Span(_dataOffset + firstBlock * typeSize, checked(blocks * typeSize));
        // One block at a time (at most 256 values), then only the bytes asked for are copied out of it.
        Span<float> values = stackalloc float[blockSize];
        int skip = (int)(offset - firstBlock * blockBytes), written = 0;
        for (int i = 0; i < blocks; i++)
        {
            _type.Decoder!(encoded.Slice(i * typeSize, typeSize), values);
            // Native float bytes are the little-endian bytes DTypeConversion reads on every platform .NET ships for.
            var decoded = MemoryMarshal.AsBytes(values)[(i == 0 ? skip : 0)..];
            int count = Math.Min(decoded.Length, destination.Length - written);
            decoded[..count].CopyTo(destination[written..]);
            written += count;
        }
        Interlocked.Add(ref _blocksDecoded, blocks);
    }
}
