using System.Runtime.InteropServices;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// A quantized GGUF tensor seen as float32 bytes, so a plain <see cref="TensorView"/> reads it: only the blocks covering
/// the bytes asked for are decoded. Blocks run along ne[0] and a row is a whole number of them, so element e lies in
/// block e / BlockSize, whatever the shape.
/// </summary>
public class DequantizedRows : DecodedBytes
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

    /// <summary>
    /// Element <paramref name="element"/>'s stored integer, scale and zero point, for a type that has them
    /// (<see cref="GgmlType.Integers"/>): its block is read for it.
    /// </summary>
    private protected (long Integer, double Scale, double ZeroPoint) Stored(long element)
    {
        var block = BlockOf(element, out int k);
        Span<long> integers = stackalloc long[_type.BlockSize];
        Span<double> scales = stackalloc double[_type.BlockSize];
        int zero = _type.Integers!(block, integers, scales);
        return (integers[k], scales[k], zero);
    }

    /// <summary>A codebook type's levels, indexed by the code (<see cref="GgmlType.Codebook"/>).</summary>
    private protected double[] Levels => _type.Codebook!.Levels;

    /// <summary>Element <paramref name="element"/>'s code and scale, for a codebook type (<see cref="GgmlType.Codebook"/>).</summary>
    private protected (long Code, double Scale) Code(long element)
    {
        var block = BlockOf(element, out int k);
        Span<long> codes = stackalloc long[_type.BlockSize];
        Span<double> scales = stackalloc double[_type.BlockSize];
        _type.Codebook!.Codes(block, codes, scales);
        return (codes[k], scales[k]);
    }

    /// <summary>Element <paramref name="element"/>'s min, for a type that adds one (<see cref="GgmlType.Minimums"/>); else null.</summary>
    private protected double? Minimum(long element)
    {
        if (_type.Minimums is not { } minimums) return null;
        var block = BlockOf(element, out int k);
        Span<double> mins = stackalloc double[_type.BlockSize];
        minimums(block, mins);
        return mins[k];
    }

    // The bytes of the block that holds element, and the element's place in it.
    private ReadOnlySpan<byte> BlockOf(long element, out int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(element);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(element, _elements);
        k = (int)(element % _type.BlockSize);
        return _source.Span(_dataOffset + element / _type.BlockSize * _type.TypeSize, _type.TypeSize);
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

    /// <summary>
    /// Plans the blocks that hold the float32 values in <paramref name="bytes"/>: each block the write touches is decoded
    /// (with writes planned before over it), the new values put in, and the block quantized again with ggml's reference
    /// quantizer, so its other elements may move by up to a quantization step. Types without one are refused.
    /// </summary>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches)
    {
        CheckRange(offset, bytes.Length);
        if (_type.Encoder is not { } encode)
            throw new RequestException($"{_type.Name} blocks cannot be quantized again after an edit: NeuronKit writes ggml's " +
                $"reference quantization of {GgmlTypes.Writable} (and f32, f16, bf16 as they are)");
        if (offset % sizeof(float) != 0 || bytes.Length % sizeof(float) != 0)
            throw new ArgumentException($"ggml values are written whole float32 elements at a time, not bytes {offset}..{offset + bytes.Length}");
        int blockSize = _type.BlockSize, typeSize = _type.TypeSize;
        long first = offset / sizeof(float), end = first + bytes.Length / sizeof(float);
        var values = MemoryMarshal.Cast<byte, float>(bytes);
        Span<float> block = stackalloc float[blockSize];
        Span<byte> encoded = stackalloc byte[typeSize];
        for (long b = first / blockSize; b * blockSize < end; b++)
        {
            long at = _dataOffset + b * typeSize;
            patches.Read(_source, at, encoded);
            _type.Decoder!(encoded, block);
            long from = Math.Max(first, b * blockSize), to = Math.Min(end, (b + 1) * blockSize);
            values[(int)(from - first)..(int)(to - first)].CopyTo(block[(int)(from - b * blockSize)..]);
            encode(block, encoded);
            _source.Write(at, encoded, patches);
        }
    }
}
