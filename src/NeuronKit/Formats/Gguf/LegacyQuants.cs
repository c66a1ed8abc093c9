using System.Buffers.Binary;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// ggml's 32-element block formats, decoded as ggml-quants.c's <c>dequantize_row_q4_0</c> … <c>_q8_0</c> do, in float32
/// and in the same order of operations, so values match ggml's bit for bit. Low nibbles hold elements 0..15 and high
/// nibbles 16..31 (halves, not interleaved); Q5 keeps each element's fifth bit in a 32-bit <c>qh</c>.
/// </summary>
internal static class LegacyQuants
{
    /// <summary><c>block_q4_0 { f16 d; u8 qs[16]; }</c>: y = (q - 8)·d.</summary>
    public static void Q4_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        var qs = block.Slice(2, 16);
        for (int j = 0; j < 16; j++)
        {
            y[j] = ((qs[j] & 0x0F) - 8) * d;
            y[j + 16] = ((qs[j] >> 4) - 8) * d;
        }
    }

    /// <summary><c>block_q4_1 { f16 d, m; u8 qs[16]; }</c>: y = q·d + m.</summary>
    public static void Q4_1(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        float m = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
        var qs = block.Slice(4, 16);
        for (int j = 0; j < 16; j++)
        {
            y[j] = (qs[j] & 0x0F) * d + m;
            y[j + 16] = (qs[j] >> 4) * d + m;
        }
    }

    /// <summary><c>block_q5_0 { f16 d; u8 qh[4]; u8 qs[16]; }</c>: y = (q - 16)·d, q's bit 4 from qh.</summary>
    public static void Q5_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[2..]);
        var qs = block.Slice(6, 16);
        for (int j = 0; j < 16; j++)
        {
            int high0 = (int)((qh >> j) << 4) & 0x10, high1 = (int)(qh >> (j + 12)) & 0x10;
            y[j] = (((qs[j] & 0x0F) | high0) - 16) * d;
            y[j + 16] = (((qs[j] >> 4) | high1) - 16) * d;
        }
    }

    /// <summary><c>block_q5_1 { f16 d, m; u8 qh[4]; u8 qs[16]; }</c>: y = q·d + m, q's bit 4 from qh.</summary>
    public static void Q5_1(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        float m = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
        uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
        var qs = block.Slice(8, 16);
        for (int j = 0; j < 16; j++)
        {
            int high0 = (int)((qh >> j) << 4) & 0x10, high1 = (int)(qh >> (j + 12)) & 0x10;
            y[j] = ((qs[j] & 0x0F) | high0) * d + m;
            y[j + 16] = ((qs[j] >> 4) | high1) * d + m;
        }
    }

    /// <summary><c>block_q8_0 { f16 d; i8 qs[32]; }</c>: y = q·d.</summary>
    public static void Q8_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        for (int j = 0; j < 32; j++) y[j] = (sbyte)block[2 + j] * d;
    }

    /// <summary>Q4_0's stored side: q in 0..15 around 8, the block's d.</summary>
    public static int Q4_0Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..32].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block));
        GgmlNibbles.Split(block.Slice(2, 16), q);
        return 8;
    }

    /// <summary>Q5_0's stored side: q in 0..31 around 16, the block's d.</summary>
    public static int Q5_0Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..32].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block));
        FiveBitIntegers(BinaryPrimitives.ReadUInt32LittleEndian(block[2..]), block.Slice(6, 16), q);
        return 16;
    }

    /// <summary>Q4_1's stored side: q in 0..15 from 0, the block's d (its m is <see cref="Q4_1Minimums"/>).</summary>
    public static int Q4_1Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..32].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block));
        GgmlNibbles.Split(block.Slice(4, 16), q);
        return 0;
    }

    /// <summary>Q4_1's and Q5_1's min: the block's m, what q = 0 decodes to.</summary>
    public static void Q4_1Minimums(ReadOnlySpan<byte> block, Span<double> mins) =>
        mins[..32].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block[2..]));

    /// <summary>Q5_1's stored side: q in 0..31 from 0, the block's d (its m is <see cref="Q5_1Minimums"/>).</summary>
    public static int Q5_1Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..32].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block));
        FiveBitIntegers(BinaryPrimitives.ReadUInt32LittleEndian(block[4..]), block.Slice(8, 16), q);
        return 0;
    }

    /// <summary>Q5_1's min: the block's m, as Q4_1's (both keep it second, after d).</summary>
    public static void Q5_1Minimums(ReadOnlySpan<byte> block, Span<double> mins) => Q4_1Minimums(block, mins);

    // Q5's integers: element j's low 4 bits in qs[j]'s low nibble (j + 16: its high nibble), its bit 4 in qh's bit j (j + 16).
    private static void FiveBitIntegers(uint qh, ReadOnlySpan<byte> qs, Span<long> q)
    {
        for (int j = 0; j < 16; j++)
        {
            int high0 = (int)((qh >> j) << 4) & 0x10, high1 = (int)(qh >> (j + 12)) & 0x10;
            (q[j], q[j + 16]) = ((qs[j] & 0x0F) | high0, (qs[j] >> 4) | high1);
        }
    }

    /// <summary>Q8_0's stored side: q in -128..127 around 0, the block's d.</summary>
    public static int Q8_0Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..32].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block));
        for (int j = 0; j < 32; j++) q[j] = (sbyte)block[2 + j];
        return 0;
    }
}
