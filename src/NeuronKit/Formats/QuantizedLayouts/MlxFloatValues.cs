using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A weight MLX quantized in one of its float modes, as float32 values: element i of row r is
/// <c>code(i) · scale(r, i / group)</c>, as mlx's <c>fp_dequantize</c> computes it. mxfp4 and nvfp4 codes are E2M1, two
/// a byte, the low nibble first; mxfp8 codes are E4M3 bytes. mxfp4's and mxfp8's scales are E8M0, 2^(s - 127) (255 is
/// 2^128, an infinity in float32, as MLX computes it); nvfp4's are E4M3. Every product is exact in float32. Its stored
/// side (<c>show --raw</c>) is each value's code, E2M1's (or E4M3's 256) levels as the codebook and its group's scale.
/// </summary>
internal sealed class MlxFloatValues : MlxPackedRows, IStoredCodes
{
    private readonly string _name;
    private readonly MlxMode _mode;
    private readonly int _groupSize, _axis;
    private readonly long _groups;
    private readonly TensorStorage _scales;

    public MlxFloatValues(string name, MlxScheme scheme, long rows, long inputs, TensorInfo words, TensorInfo scales)
        : base(rows, inputs, scheme.Bits, words.Storage)
    {
        (_name, _mode, _groupSize, _scales, _axis) = (name, scheme.Mode, scheme.GroupSize, scales.Storage, words.Shape.Count - 1);
        _groups = inputs / _groupSize;
    }

    /// <inheritdoc/>
    protected override void DecodeRun(long row, long from, ReadOnlySpan<byte> bytes, long bitFrom, Span<float> values)
    {
        long groupFrom = from / _groupSize, groupTo = (from + values.Length - 1) / _groupSize;
        var scales = _scales.Source.Span(_scales.ByteOffset + row * _groups + groupFrom, (int)(groupTo - groupFrom + 1));
        for (int k = 0; k < values.Length; k++)
        {
            long i = from + k;
            float scale = Scale(scales[(int)(i / _groupSize - groupFrom)]);
            int at = (int)((i * Bits - bitFrom) / 8);
            float code = Bits == 8 ? (float)Float8Format.E4M3FN.Values[bytes[at]] : Float4E2M1.Values[(bytes[at] >> (int)(i % 2 * 4)) & 0xF];
            values[k] = code * scale;
        }
    }

    /// <inheritdoc/>
    public int Axis => _axis;

    /// <inheritdoc/>
    public IReadOnlyList<double> Codebook => Bits == 8 ? Float8Format.E4M3FN.Values : Float4E2M1.Codebook;

    /// <inheritdoc/>
    (long Code, double Scale) IStoredCodes.CodeAt(long element)
    {
        long row = element / Inputs, group = element % Inputs / _groupSize;
        return (CodeAt(element), Scale(_scales.Source.Span(_scales.ByteOffset + row * _groups + group, 1)[0]));
    }

    private float Scale(byte stored) => _mode == MlxMode.Nvfp4 ? (float)Float8Format.E4M3FN.Values[stored] : MathF.ScaleB(1f, stored - 127);

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as MLX's {_mode.ToString().ToLowerInvariant()} codes with group scales: " +
            "NeuronKit does not quantize edited values back into them");
}
