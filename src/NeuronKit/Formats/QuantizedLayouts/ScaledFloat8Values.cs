using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// An 8-bit float weight [out, in] whose true values are each code times a scale of its block, as float32 bytes:
/// element (r, c) is <c>float(w[r, c]) · scale[r / BlockRows, c / BlockColumns]</c> in float32, as transformers'
/// fine-grained FP8 and DeepSeek's <c>weight_dequant</c> compute it (a per-channel scale is a block of one row and every
/// column, a per-tensor scale one block of all). Only the elements asked for are decoded.
/// </summary>
internal sealed class ScaledFloat8Values : DecodedFloats
{
    private readonly string _name;
    private readonly TensorStorage _codes;
    private readonly float[] _codeValues;
    // Read on first use: a checkpoint has a scale tensor per weight, and opening it reads none of them.
    private readonly Lazy<float[]> _scales;
    private readonly long _columns, _blockRows, _blockColumns, _scaleColumns;

    public ScaledFloat8Values(string name, TensorStorage codes, DType codeType, long columns, TensorInfo scales, long blockRows,
        long blockColumns, long scaleColumns) : base(codes.ByteLength)
    {
        _name = name;
        _codes = codes;
        // Every 8-bit float is exact as a float32.
        _codeValues = [.. (codeType switch
        {
            DType.Float8E4M3FN => Float8Format.E4M3FN.Values,
            DType.Float8E5M2 => Float8Format.E5M2.Values,
            DType.Float8E4M3FNUZ => Float8Format.E4M3FNUZ.Values,
            DType.Float8E5M2FNUZ => Float8Format.E5M2FNUZ.Values,
            _ => throw new ArgumentException($"{codeType} is not an 8-bit float", nameof(codeType)),
        }).Select(v => (float)v)];
        _columns = columns;
        _scales = new(() => [.. scales.View().ToDoubles().Select(s => (float)s)]);
        _blockRows = blockRows;
        _blockColumns = blockColumns;
        _scaleColumns = scaleColumns;
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        var codes = _codes.Source.Span(_codes.ByteOffset + first, decoded.Length);
        var scales = _scales.Value;
        // A run of one row within one block shares a scale.
        for (int i = 0; i < decoded.Length;)
        {
            long element = first + i, row = element / _columns, column = element % _columns;
            int run = (int)Math.Min(Math.Min(_columns, (column / _blockColumns + 1) * _blockColumns) - column, decoded.Length - i);
            float scale = scales[row / _blockRows * _scaleColumns + column / _blockColumns];
            for (int k = i; k < i + run; k++) decoded[k] = _codeValues[codes[k]] * scale;
            i += run;
        }
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as 8-bit floats times block scales: NeuronKit does not quantize edited values back into them");
}
