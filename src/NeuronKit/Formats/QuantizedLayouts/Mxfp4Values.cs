using System.Runtime.InteropServices;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A tensor Hugging Face stores in MXFP4 (gpt-oss's experts), seen as float32 bytes: <c>NAME_blocks</c> [..., G, 16]
/// holds 32 E2M1 codes per group, two a byte (the low nibble the even element, the high the odd), and
/// <c>NAME_scales</c> [..., G] one E8M0 exponent per group; element 32·g + i is e2m1[code] · 2^(scale[g] - 127), as
/// transformers' <c>convert_moe_packed_tensors</c> computes it (the OCP Microscaling format; E8M0's 255 is NaN). Only
/// the groups covering the bytes asked for are decoded. Its stored side (<c>show --raw</c>) is each value's E2M1 code and
/// its group's scale.
/// </summary>
internal sealed class Mxfp4Values : DecodedBytes, IStoredCodes
{
    /// <summary>Values per group (one scale), and the bytes of codes they take.</summary>
    public const int GroupSize = 32, GroupBytes = 16;


    private readonly TensorStorage _blocks;
    private readonly TensorStorage _scales;
    private readonly string _name;
    private readonly int _axis;

    public Mxfp4Values(string name, TensorStorage blocks, TensorStorage scales, int axis)
    {
        _name = name;
        _blocks = blocks;
        _scales = scales;
        _axis = axis;
    }

    /// <inheritdoc/>
    public int Axis => _axis;

    /// <inheritdoc/>
    public IReadOnlyList<double> Codebook => Float4E2M1.Codebook;

    /// <inheritdoc/>
    public (long Code, double Scale) CodeAt(long element)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(element);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(element, Length / sizeof(float));
        long group = element / GroupSize;
        int i = (int)(element % GroupSize);
        byte pair = _blocks.Source.Span(_blocks.ByteOffset + group * GroupBytes + i / 2, 1)[0];
        return (i % 2 == 0 ? pair & 0xF : pair >> 4, Factor(_scales.Source.Span(_scales.ByteOffset + group, 1)[0]));
    }

    /// <inheritdoc/>
    public override long Length => _scales.ByteLength * GroupSize * sizeof(float);

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        const int groupBytes = GroupSize * sizeof(float);
        long first = offset / groupBytes, last = (offset + destination.Length - 1) / groupBytes;
        int groups = checked((int)(last - first + 1));
        var codes = _blocks.Source.Span(_blocks.ByteOffset + first * GroupBytes, checked(groups * GroupBytes));
        var scales = _scales.Source.Span(_scales.ByteOffset + first, groups);
        Span<float> values = stackalloc float[GroupSize];
        int skip = (int)(offset - first * groupBytes), written = 0;
        for (int g = 0; g < groups; g++)
        {
            Decode(codes.Slice(g * GroupBytes, GroupBytes), scales[g], values);
            // Native float bytes are the little-endian bytes DTypeConversion reads on every platform .NET ships for.
            var decoded = MemoryMarshal.AsBytes(values)[(g == 0 ? skip : 0)..];
            int count = Math.Min(decoded.Length, destination.Length - written);
            decoded[..count].CopyTo(destination[written..]);
            written += count;
        }
    }

    private static void Decode(ReadOnlySpan<byte> codes, byte scale, Span<float> values)
    {
        float factor = Factor(scale);
        for (int k = 0; k < GroupBytes; k++)
        {
            values[2 * k] = Float4E2M1.Values[codes[k] & 0xF] * factor;
            values[2 * k + 1] = Float4E2M1.Values[codes[k] >> 4] * factor;
        }
    }

    // 2^(scale - 127) is exact in float32 for every scale but 255 (2^128), which E8M0 reserves for NaN.
    private static float Factor(byte scale) => scale == 255 ? float.NaN : MathF.ScaleB(1f, scale - 127);

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as MXFP4 blocks and scales ({_name}_blocks, {_name}_scales): " +
            "NeuronKit does not quantize edited values back into MXFP4");
}
