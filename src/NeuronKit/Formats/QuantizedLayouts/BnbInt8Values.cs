using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A bitsandbytes LLM.int8() weight [out, in] as float32 values, as its int8_vectorwise_dequant computes them: int8 codes
/// times the row's absmax (<c>SCB</c>), times 1/127 as the float32 7.874015718698502e-3, each step rounded to float32.
/// </summary>
internal sealed class BnbInt8Values : DecodedFloats
{
    private const float InverseOf127 = 7.874015718698502e-3f;

    private readonly string _name;
    private readonly long _columns;
    private readonly TensorStorage _codes;
    private readonly float[] _rowScales;

    public BnbInt8Values(string name, long rows, long columns, TensorStorage codes, float[] rowScales)
        : base(rows * columns)
    {
        (_name, _columns, _codes, _rowScales) = (name, columns, codes, rowScales);
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        var codes = _codes.Source.Span(_codes.ByteOffset + first, decoded.Length);
        for (int k = 0; k < decoded.Length; k++)
        {
            float scaled = (sbyte)codes[k] * _rowScales[(first + k) / _columns];
            decoded[k] = scaled * InverseOf127;
        }
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as bitsandbytes int8 codes with row scales (SCB): NeuronKit does not quantize edited values back into them");
}
