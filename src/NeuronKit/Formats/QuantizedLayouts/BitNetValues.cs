using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A BitNet b1.58 weight [out, in] as float32 values: transformers' BitLinear keeps it as uint8 [out/4, in], four ternary
/// codes a byte, and row <c>i·out/4 + r</c> is the 2-bit code at bits 2i of packed row r, less one (its
/// <c>unpack_weights</c>); its output is divided by the tensor's <c>weight_scale</c>, so each value is code / weight_scale,
/// rounded to float32. Its stored side is the 2-bit code with zero point 1 under the one scale 1 / weight_scale in
/// float32: for a code less one of −1, 0 or 1, (q − 1) · scale is that quotient exactly.
/// </summary>
internal sealed class BitNetValues : DecodedFloats, IStoredIntegers
{
    private readonly string _name;
    private readonly long _packedRows, _columns;
    private readonly TensorStorage _packed;
    private readonly float _scale;

    public BitNetValues(string name, long packedRows, long columns, TensorStorage packed, float scale)
        : base(packedRows * 4 * columns)
    {
        (_name, _packedRows, _columns, _packed, _scale) = (name, packedRows, columns, packed, scale);
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        int k = 0;
        while (k < decoded.Length)
        {
            long element = first + k, row = element / _columns, from = element % _columns;
            int count = (int)Math.Min(_columns - from, decoded.Length - k);
            long quarter = row / _packedRows, packedRow = row % _packedRows;
            var bytes = _packed.Source.Span(_packed.ByteOffset + packedRow * _columns + from, count);
            int shift = (int)(2 * quarter);
            for (int c = 0; c < count; c++)
                decoded[k++] = (((bytes[c] >> shift) & 3) - 1) / _scale;
        }
    }

    /// <inheritdoc/>
    public string Scheme => "per_tensor_affine";

    /// <inheritdoc/>
    public int? Axis => null;

    /// <inheritdoc/>
    public (long Integer, double Scale, double ZeroPoint) StoredAt(long element)
    {
        long row = element / _columns, column = element % _columns;
        byte packed = _packed.Source.Span(_packed.ByteOffset + row % _packedRows * _columns + column, 1)[0];
        return ((packed >> (int)(2 * (row / _packedRows))) & 3, 1f / _scale, 1);
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as BitNet's packed ternary codes with a weight_scale: NeuronKit does not quantize edited values back into them");
}
