using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// An MLX-quantized weight as float32 values, walked as MLX packs it: each row of <c>inputs</c> codes a little-endian bit
/// stream of <c>bits</c>-bit codes in uint32 words. A read becomes runs within rows, each given its row's bytes once, for
/// the mode's decoder (<see cref="MlxQuantValues"/>, <see cref="MlxFloatValues"/>).
/// </summary>
internal abstract class MlxPackedRows(long rows, long inputs, int bits, TensorStorage words) : DecodedFloats(rows * inputs)
{
    private readonly long _rowBytes = inputs * bits / 8;

    /// <summary>Codes per row.</summary>
    protected long Inputs => inputs;

    /// <summary>Bits per code.</summary>
    protected int Bits => bits;

    /// <inheritdoc/>
    protected sealed override void Decode(long first, Span<float> decoded)
    {
        int k = 0;
        while (k < decoded.Length)
        {
            long element = first + k, row = element / inputs, from = element % inputs;
            long to = Math.Min(inputs, from + decoded.Length - k);
            long byteFrom = from * bits / 8, byteTo = (to * bits + 7) / 8;
            var bytes = words.Source.Span(words.ByteOffset + row * _rowBytes + byteFrom, (int)(byteTo - byteFrom));
            DecodeRun(row, from, bytes, byteFrom * 8, decoded.Slice(k, (int)(to - from)));
            k += (int)(to - from);
        }
    }

    /// <summary>Element <paramref name="element"/>'s code (row-major), read from the one or two bytes it lies in.</summary>
    protected uint CodeAt(long element)
    {
        long row = element / inputs, bit = element % inputs * bits;
        var bytes = words.Source.Span(words.ByteOffset + row * _rowBytes + bit / 8, (int)Math.Min(2, _rowBytes - bit / 8));
        return Code(bytes, bit & 7);
    }

    /// <summary>The code at bit <paramref name="bit"/> of <paramref name="bytes"/> (a code of up to 8 bits spans at most two bytes).</summary>
    protected uint Code(ReadOnlySpan<byte> bytes, long bit)
    {
        int at = (int)(bit >> 3);
        uint pair = bytes[at] | (at + 1 < bytes.Length ? (uint)bytes[at + 1] << 8 : 0);
        return (pair >> (int)(bit & 7)) & ((1u << bits) - 1);
    }

    /// <summary>
    /// Decodes codes <paramref name="from"/> … of <paramref name="row"/> into <paramref name="values"/>, from
    /// <paramref name="bytes"/>, the row's bytes starting at bit <paramref name="bitFrom"/> of the row.
    /// </summary>
    protected abstract void DecodeRun(long row, long from, ReadOnlySpan<byte> bytes, long bitFrom, Span<float> values);
}
