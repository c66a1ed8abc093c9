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

    /// <summary>
    /// Decodes codes <paramref name="from"/> … of <paramref name="row"/> into <paramref name="values"/>, from
    /// <paramref name="bytes"/>, the row's bytes starting at bit <paramref name="bitFrom"/> of the row.
    /// </summary>
    protected abstract void DecodeRun(long row, long from, ReadOnlySpan<byte> bytes, long bitFrom, Span<float> values);
}
