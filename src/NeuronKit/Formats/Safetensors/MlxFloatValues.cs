using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// A weight MLX quantized in one of its float modes, as float32 values: element i of row r is
/// <c>code(i) · scale(r, i / group)</c>, as mlx's <c>fp_dequantize</c> computes it. mxfp4 and nvfp4 codes are E2M1, two
/// a byte, the low nibble first; mxfp8 codes are E4M3 bytes. mxfp4's and mxfp8's scales are E8M0, 2^(s - 127) (255 is
/// 2^128, an infinity in float32, as MLX computes it); nvfp4's are E4M3. Every product is exact in float32.
/// </summary>
internal sealed class MlxFloatValues : DecodedFloats
{
    // E2M1 (sign, 2 exponent bits, 1 mantissa bit): codes 8..15 are the negatives of 0..7 (8 is -0).
    private static ReadOnlySpan<float> E2M1 => [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];

    private readonly string _name;
    private readonly MlxMode _mode;
    private readonly int _groupSize, _bits;
    private readonly long _inputs, _groups, _rowBytes;
    private readonly TensorStorage _words, _scales;

    public MlxFloatValues(string name, MlxMode mode, long rows, long inputs, TensorInfo words, TensorInfo scales)
        : base(rows * inputs)
    {
        (_name, _mode, _inputs, _words, _scales) = (name, mode, inputs, words.Storage, scales.Storage);
        (_bits, _groupSize) = mode switch { MlxMode.Mxfp8 => (8, 32), MlxMode.Nvfp4 => (4, 16), _ => (4, 32) };
        _groups = inputs / _groupSize;
        _rowBytes = inputs * _bits / 8;
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        int k = 0;
        while (k < decoded.Length)
        {
            long element = first + k, row = element / _inputs, from = element % _inputs;
            long to = Math.Min(_inputs, from + decoded.Length - k);
            long byteFrom = from * _bits / 8, byteTo = (to * _bits + 7) / 8;
            var codes = _words.Source.Span(_words.ByteOffset + row * _rowBytes + byteFrom, (int)(byteTo - byteFrom));
            long groupFrom = from / _groupSize, groupTo = (to - 1) / _groupSize;
            var scales = _scales.Source.Span(_scales.ByteOffset + row * _groups + groupFrom, (int)(groupTo - groupFrom + 1));
            for (long i = from; i < to; i++)
            {
                float scale = Scale(scales[(int)(i / _groupSize - groupFrom)]);
                long at = i * _bits / 8 - byteFrom;
                float code = _bits == 8 ? (float)Float8Format.E4M3FN.Values[codes[(int)at]]
                    : E2M1[(codes[(int)at] >> (int)(i % 2 * 4)) & 0xF];
                decoded[k++] = code * scale;
            }
        }
    }

    private float Scale(byte stored) => _mode == MlxMode.Nvfp4 ? (float)Float8Format.E4M3FN.Values[stored] : MathF.ScaleB(1f, stored - 127);

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as MLX's {_mode.ToString().ToLowerInvariant()} codes with group scales: " +
            "NeuronKit does not quantize edited values back into them");
}
