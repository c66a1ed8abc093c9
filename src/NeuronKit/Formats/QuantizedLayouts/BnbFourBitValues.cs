using System.Buffers.Binary;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A bitsandbytes 4-bit weight (NF4 or FP4) as float32 values, as its dequantize_4bit computes them: the weight's n values,
/// flattened, are two 4-bit codes a byte, the high nibble first, and value i is <c>quant_map[code] · absmax[i / blocksize]</c>
/// in float32. With double quantization (nested) each block's absmax is itself stored as a byte a,
/// <c>nested_quant_map[a] · nested_absmax[b / nested_blocksize] + offset</c>, in float32. A read decodes only the blocks
/// it covers. Its stored side (<c>show --raw</c>) is each value's code, quant_map as the codebook and its block's absmax as
/// the scale.
/// </summary>
internal sealed class BnbFourBitValues : DecodedFloats, IStoredCodes
{
    private readonly string _name;
    private readonly string _quantType;
    private readonly float[] _quantMap;
    private readonly int _blockSize, _axis;
    private readonly TensorStorage _codes, _absmax;
    private readonly Nested? _nested;

    /// <summary>A double-quantized absmax: its byte codes' map, the scale of each run of blocks, and the offset added back.</summary>
    public sealed record Nested(float[] QuantMap, TensorStorage Absmax, int BlockSize, float Offset);

    public BnbFourBitValues(string name, string quantType, long count, TensorStorage codes, float[] quantMap, int blockSize, TensorStorage absmax,
        Nested? nested, int axis)
        : base(count)
    {
        (_name, _quantType, _codes, _quantMap, _blockSize, _absmax, _nested, _axis) = (name, quantType, codes, quantMap, blockSize, absmax, nested, axis);
    }

    /// <inheritdoc/>
    public int Axis => _axis;

    /// <inheritdoc/>
    public IReadOnlyList<double> Codebook => [.. _quantMap.Select(level => (double)level)];

    /// <inheritdoc/>
    public (long Code, double Scale) CodeAt(long element)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(element);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(element, Length / sizeof(float));
        int code = (_codes.Source.Span(_codes.ByteOffset + element / 2, 1)[0] >> (element % 2 == 0 ? 4 : 0)) & 0xF;
        return (code, Absmax(element / _blockSize, 1)[0]);
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        long last = first + decoded.Length - 1, blockFrom = first / _blockSize, blockTo = last / _blockSize;
        var codes = _codes.Source.Span(_codes.ByteOffset + first / 2, checked((int)(last / 2 - first / 2 + 1)));
        var absmax = Absmax(blockFrom, checked((int)(blockTo - blockFrom + 1)));
        for (int k = 0; k < decoded.Length; k++)
        {
            long i = first + k;
            int code = (codes[(int)(i / 2 - first / 2)] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            decoded[k] = _quantMap[code] * absmax[(int)(i / _blockSize - blockFrom)];
        }
    }

    // Blocks from … from + count: stored as float32, or as bytes of the nested quantization.
    private float[] Absmax(long from, int count)
    {
        var absmax = new float[count];
        if (_nested is not { } nested)
        {
            var stored = _absmax.Source.Span(_absmax.ByteOffset + from * sizeof(float), count * sizeof(float));
            for (int b = 0; b < count; b++) absmax[b] = BinaryPrimitives.ReadSingleLittleEndian(stored[(b * sizeof(float))..]);
            return absmax;
        }
        var bytes = _absmax.Source.Span(_absmax.ByteOffset + from, count);
        long scaleFrom = from / nested.BlockSize, scaleTo = (from + count - 1) / nested.BlockSize;
        var scales = nested.Absmax.Source.Span(nested.Absmax.ByteOffset + scaleFrom * sizeof(float), (int)(scaleTo - scaleFrom + 1) * sizeof(float));
        for (int b = 0; b < count; b++)
        {
            float scale = BinaryPrimitives.ReadSingleLittleEndian(scales[(int)(((from + b) / nested.BlockSize - scaleFrom) * sizeof(float))..]);
            absmax[b] = nested.QuantMap[bytes[b]] * scale + nested.Offset;
        }
        return absmax;
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as bitsandbytes {_quantType} codes with block absmax: NeuronKit does not quantize edited values back into them");
}
