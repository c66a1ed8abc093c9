using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// An NVFP4 weight as float32 values: codes are E2M1, two a byte (the low nibble the even element), under one E4M3 scale
/// per 16 values of a row and one float32 scale for the tensor. Each block's scale is the E4M3 value times the tensor's
/// scale (ModelOpt's <c>weight_scale_2</c>) or divided by it (compressed-tensors' <c>weight_global_scale</c>), rounded to
/// float32, and each value the code times its block's scale, rounded to float32: the two steps both tools' dequantize
/// takes (ModelOpt's NVFP4QTensor.dequantize, compressed-tensors' _dequantize). Its stored side (<c>show --raw</c>) is
/// each value's code and its block's scale.
/// </summary>
internal sealed class Nvfp4Values : DecodedFloats, IStoredCodes
{
    /// <summary>Values per E4M3 scale.</summary>
    public const int BlockSize = 16;


    private readonly string _name;
    private readonly TensorStorage _codes, _scales;
    private readonly float _tensorScale;
    private readonly bool _divides;

    public Nvfp4Values(string name, long rows, long columns, TensorStorage codes, TensorStorage scales, float tensorScale, bool divides)
        : base(rows * columns)
    {
        (_name, _codes, _scales, _tensorScale, _divides) = (name, codes, scales, tensorScale, divides);
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        // Elements are in row-major order and every row is whole blocks, so element e is nibble e of the codes and in block e / 16.
        long last = first + decoded.Length - 1;
        var codes = _codes.Source.Span(_codes.ByteOffset + first / 2, checked((int)(last / 2 - first / 2 + 1)));
        var scales = _scales.Source.Span(_scales.ByteOffset + first / BlockSize, checked((int)(last / BlockSize - first / BlockSize + 1)));
        for (int k = 0; k < decoded.Length; k++)
        {
            long element = first + k;
            float block = BlockScale(scales[(int)(element / BlockSize - first / BlockSize)]);
            decoded[k] = Float4E2M1.Values[(codes[(int)(element / 2 - first / 2)] >> (int)(element % 2 * 4)) & 0xF] * block;
        }
    }

    /// <inheritdoc/>
    public int Axis => 1;

    /// <inheritdoc/>
    public IReadOnlyList<double> Codebook => Float4E2M1.Codebook;

    /// <inheritdoc/>
    public (long Code, double Scale) CodeAt(long element)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(element);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(element, Length / sizeof(float));
        int code = (_codes.Source.Span(_codes.ByteOffset + element / 2, 1)[0] >> (int)(element % 2 * 4)) & 0xF;
        return (code, BlockScale(_scales.Source.Span(_scales.ByteOffset + element / BlockSize, 1)[0]));
    }

    // A block's scale in float32: its E4M3 value times the tensor's scale, or divided by it.
    private float BlockScale(byte stored)
    {
        float value = (float)Float8Format.E4M3FN.Values[stored];
        return _divides ? value / _tensorScale : value * _tensorScale;
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as NVFP4 codes with block and tensor scales: NeuronKit does not quantize edited values back into them");
}
