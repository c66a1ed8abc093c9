using System.Buffers.Binary;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// ggml's 1- and 2-bit formats, every code one of a few multiples of the block's f16 scale d: Q1_0 (±d, one bit),
/// Q2_0 (-1, 0, 1 or 2 times d), and the ternary TQ2_0 and TQ1_0 (-d, 0 or d; BitNet's weights), TQ1_0 packing five
/// trits a byte. Decoded as ggml-quants.c's <c>dequantize_row_q1_0</c>, <c>_q2_0</c>, <c>_tq1_0</c> and <c>_tq2_0</c>
/// do, in float32.
/// </summary>
internal static class LowBitQuants
{
    /// <summary><c>block_q1_0 { f16 d; u8 qs[16]; }</c>: 128 bits, element j bit j % 8 of byte j / 8; y = set ? d : -d.</summary>
    public static void Q1_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        var qs = block.Slice(2, 16);
        for (int j = 0; j < 128; j++) y[j] = ((qs[j / 8] >> (j % 8)) & 1) != 0 ? d : -d;
    }

    /// <summary><c>block_q2_0 { f16 d; u8 qs[16]; }</c>: 64 two-bit codes, element j bits 2·(j % 4) of byte j / 4; y = (q - 1)·d.</summary>
    public static void Q2_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        var qs = block.Slice(2, 16);
        for (int j = 0; j < 64; j++) y[j] = (((qs[j / 4] >> (2 * (j % 4))) & 3) - 1) * d;
    }

    /// <summary>
    /// <c>block_tq2_0 { u8 qs[64]; f16 d; }</c>: two 32-byte runs, each giving four runs of 32 elements (bits 0-1 of
    /// every byte, then 2-3, …); y = (q - 1)·d.
    /// </summary>
    public static void TQ2_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block[64..]);
        int next = 0;
        for (int run = 0; run < 64; run += 32)
            for (int shift = 0; shift < 8; shift += 2)
                for (int m = 0; m < 32; m++)
                    y[next++] = (((block[run + m] >> shift) & 3) - 1) * d;
    }

    /// <summary>
    /// <c>block_tq1_0 { u8 qs[48]; u8 qh[4]; f16 d; }</c>: five trits a byte of qs (the first 32 bytes, then 16), four
    /// of qh, each byte a fixed-point fraction whose n-th trit is the top of byte·3^n, times 3; y = (trit - 1)·d.
    /// </summary>
    public static void TQ1_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block[52..]);
        int next = 0;
        foreach (var (start, length) in (ReadOnlySpan<(int, int)>)[(0, 32), (32, 16)])
            for (int n = 0; n < 5; n++)
                for (int m = 0; m < length; m++)
                    y[next++] = (Trit(block[start + m], n) - 1) * d;
        for (int n = 0; n < 4; n++)
            for (int m = 0; m < 4; m++)
                y[next++] = (Trit(block[48 + m], n) - 1) * d;
    }

    private static ReadOnlySpan<byte> PowersOf3 => [1, 3, 9, 27, 81, 243];

    // The n-th trit of a packed byte: byte·3^n wraps to a byte, and its top third says 0, 1 or 2.
    private static int Trit(byte packed, int n) => (byte)(packed * PowersOf3[n]) * 3 >> 8;

    /// <summary>Q2_0's stored side: q in 0..3 around 1, the block's d.</summary>
    public static int Q2_0Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..64].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block));
        var qs = block.Slice(2, 16);
        for (int j = 0; j < 64; j++) q[j] = (qs[j / 4] >> (2 * (j % 4))) & 3;
        return 1;
    }

    /// <summary>TQ2_0's stored side: q in 0..2 (a 2-bit code) around 1, the block's d.</summary>
    public static int TQ2_0Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..256].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block[64..]));
        int next = 0;
        for (int run = 0; run < 64; run += 32)
            for (int shift = 0; shift < 8; shift += 2)
                for (int m = 0; m < 32; m++)
                    q[next++] = (block[run + m] >> shift) & 3;
        return 1;
    }

    /// <summary>TQ1_0's stored side: each trit, 0..2 around 1, and the block's d.</summary>
    public static int TQ1_0Integers(ReadOnlySpan<byte> block, Span<long> q, Span<double> scales)
    {
        scales[..256].Fill((double)BinaryPrimitives.ReadHalfLittleEndian(block[52..]));
        int next = 0;
        foreach (var (start, length) in (ReadOnlySpan<(int, int)>)[(0, 32), (32, 16)])
            for (int n = 0; n < 5; n++)
                for (int m = 0; m < length; m++)
                    q[next++] = Trit(block[start + m], n);
        for (int n = 0; n < 4; n++)
            for (int m = 0; m < 4; m++)
                q[next++] = Trit(block[48 + m], n);
        return 1;
    }
}
