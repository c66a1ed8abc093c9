using System.Buffers.Binary;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// ggml's K-quants: 256-element super-blocks of 16 or 8 sub-blocks, each with a small scale (and min) quantized against
/// the super-block's f16 <c>d</c> (and <c>dmin</c>). Decoded as ggml-quants.c's <c>dequantize_row_q2_K</c> …
/// <c>_q6_K</c> do, in float32 and in their order of operations (sub-block scale first, then times q, then minus the
/// min), so values match ggml's bit for bit. Block layouts are ggml-common.h's structs, fields in declaration order.
/// </summary>
internal static class KQuants
{
    /// <summary><c>block_q2_K { u8 scales[16]; u8 qs[64]; f16 d, dmin; }</c>: y = d·(sc &amp; 15)·q - dmin·(sc &gt;&gt; 4).</summary>
    public static void Q2_K(ReadOnlySpan<byte> block, Span<float> y)
    {
        var scales = block[..16];
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block[80..]);
        float min = (float)BinaryPrimitives.ReadHalfLittleEndian(block[82..]);
        int next = 0, sub = 0;
        for (int n = 0; n < 2; n++)
        {
            var q = block.Slice(16 + 32 * n, 32);
            for (int shift = 0; shift < 8; shift += 2)
            {
                for (int half = 0; half < 32; half += 16)
                {
                    byte sc = scales[sub++];
                    float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) y[next++] = dl * ((q[half + l] >> shift) & 3) - ml;
                }
            }
        }
    }

    /// <summary>Q2_K's stored side: q in 0..3 from 0, d·(sc &amp; 15) per 16 elements (its mins: <see cref="Q2_KMinimums"/>).</summary>
    public static int Q2_KIntegers(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block[80..]);
        int next = 0, sub = 0;
        for (int n = 0; n < 2; n++)
        {
            var q = block.Slice(16 + 32 * n, 32);
            for (int shift = 0; shift < 8; shift += 2)
            {
                for (int half = 0; half < 32; half += 16)
                {
                    scales.Slice(next, 16).Fill(d * (block[sub++] & 0xF));
                    for (int l = 0; l < 16; l++) integers[next++] = (q[half + l] >> shift) & 3;
                }
            }
        }
        return 0;
    }

    /// <summary>Q2_K's mins: −dmin·(sc &gt;&gt; 4) per 16 elements, what q = 0 decodes to (exact: an f16 times a 4-bit integer).</summary>
    public static void Q2_KMinimums(ReadOnlySpan<byte> block, Span<double> mins)
    {
        float min = (float)BinaryPrimitives.ReadHalfLittleEndian(block[82..]);
        for (int sub = 0; sub < 16; sub++) mins.Slice(16 * sub, 16).Fill(0.0 - min * (block[sub] >> 4));
    }

    /// <summary>
    /// <c>block_q3_K { u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d; }</c>: 2 low bits in qs, the third (inverted: set
    /// means no -4) in hmask, sixteen 6-bit scales packed in 12 bytes; y = d·(scale - 32)·(q - 4·!high).
    /// </summary>
    public static void Q3_K(ReadOnlySpan<byte> block, Span<float> y) => Decode(block, y, Q3_KCodes, Q3_KZero);

    /// <summary>Q3_K's stored side: q in 0..7 (two low bits, the third from hmask) around 4, d·(scale − 32) per 16 elements.</summary>
    public static int Q3_KIntegers(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales) =>
        Stored(block, integers, scales, Q3_KCodes, Q3_KZero);

    private const int Q3_KZero = 4, Q6_KZero = 32;

    // Q3_K's 3-bit codes in element order (a set hmask bit is the code's 4) and its sixteen sub-block scales
    // d·(scale − 32), exact in float32 (an f16 times a 6-bit integer).
    private static void Q3_KCodes(ReadOnlySpan<byte> block, Span<byte> codes, Span<float> subScales)
    {
        var hmask = block[..32];
        var scales = block.Slice(96, 12);
        float dAll = (float)BinaryPrimitives.ReadHalfLittleEndian(block[108..]);
        for (int sub = 0; sub < 16; sub++) subScales[sub] = dAll * (Q3Scale(scales, sub) - 32);
        int next = 0, bit = 1;
        for (int n = 0; n < 2; n++)
        {
            var q = block.Slice(32 + 32 * n, 32);
            for (int shift = 0; shift < 8; shift += 2)
            {
                for (int half = 0; half < 32; half += 16)
                    for (int l = 0; l < 16; l++)
                        codes[next++] = (byte)(((q[half + l] >> shift) & 3) | ((hmask[half + l] & bit) != 0 ? 4 : 0));
                bit <<= 1;
            }
        }
    }

    /// <summary><c>block_q4_K { f16 d, dmin; u8 scales[12]; u8 qs[128]; }</c>: eight 32-element sub-blocks, y = d·sc·q - dmin·m.</summary>
    public static void Q4_K(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        float min = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
        var scales = block.Slice(4, 12);
        for (int k = 0; k < 4; k++)
        {
            var q = block.Slice(16 + 32 * k, 32);
            var (sc1, m1) = ScaleMin(2 * k, scales);
            var (sc2, m2) = ScaleMin(2 * k + 1, scales);
            float d1 = d * sc1, min1 = min * m1, d2 = d * sc2, min2 = min * m2;
            for (int l = 0; l < 32; l++) y[64 * k + l] = d1 * (q[l] & 0xF) - min1;
            for (int l = 0; l < 32; l++) y[64 * k + 32 + l] = d2 * (q[l] >> 4) - min2;
        }
    }

    /// <summary><c>block_q5_K { f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]; }</c>: as Q4_K, with each q's bit 4 in qh.</summary>
    public static void Q5_K(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        float min = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
        var scales = block.Slice(4, 12);
        var qh = block.Slice(16, 32);
        int low = 1, high = 2;
        for (int k = 0; k < 4; k++)
        {
            var ql = block.Slice(48 + 32 * k, 32);
            var (sc1, m1) = ScaleMin(2 * k, scales);
            var (sc2, m2) = ScaleMin(2 * k + 1, scales);
            float d1 = d * sc1, min1 = min * m1, d2 = d * sc2, min2 = min * m2;
            for (int l = 0; l < 32; l++) y[64 * k + l] = d1 * ((ql[l] & 0xF) + ((qh[l] & low) != 0 ? 16 : 0)) - min1;
            for (int l = 0; l < 32; l++) y[64 * k + 32 + l] = d2 * ((ql[l] >> 4) + ((qh[l] & high) != 0 ? 16 : 0)) - min2;
            low <<= 2;
            high <<= 2;
        }
    }

    /// <summary>Q4_K's stored side: q in 0..15 from 0, d·sc per 32 elements (its mins: <see cref="Q4_KMinimums"/>).</summary>
    public static int Q4_KIntegers(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales)
    {
        SubBlockScales(block, scales);
        for (int k = 0; k < 4; k++) GgmlNibbles.Split(block.Slice(16 + 32 * k, 32), integers.Slice(64 * k, 64));
        return 0;
    }

    /// <summary>Q5_K's stored side: q in 0..31 from 0 (bit 4 from qh), d·sc per 32 elements (its mins: <see cref="Q5_KMinimums"/>).</summary>
    public static int Q5_KIntegers(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales)
    {
        SubBlockScales(block, scales);
        var qh = block.Slice(16, 32);
        for (int k = 0; k < 4; k++)
        {
            var ql = block.Slice(48 + 32 * k, 32);
            int low = 1 << (2 * k), high = 2 << (2 * k);
            for (int l = 0; l < 32; l++)
            {
                integers[64 * k + l] = (ql[l] & 0xF) + ((qh[l] & low) != 0 ? 16 : 0);
                integers[64 * k + 32 + l] = (ql[l] >> 4) + ((qh[l] & high) != 0 ? 16 : 0);
            }
        }
        return 0;
    }

    /// <summary>Q4_K's mins: −dmin·m per 32 elements, what q = 0 decodes to (exact: an f16 times a 6-bit integer).</summary>
    public static void Q4_KMinimums(ReadOnlySpan<byte> block, Span<double> mins)
    {
        float min = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
        for (int sub = 0; sub < 8; sub++) mins.Slice(32 * sub, 32).Fill(0.0 - min * ScaleMin(sub, block.Slice(4, 12)).Min);
    }

    /// <summary>Q5_K's mins, kept as Q4_K keeps them.</summary>
    public static void Q5_KMinimums(ReadOnlySpan<byte> block, Span<double> mins) => Q4_KMinimums(block, mins);

    // Q4_K's and Q5_K's eight sub-block scales d·sc, each over its 32 elements (exact: an f16 times a 6-bit integer).
    private static void SubBlockScales(ReadOnlySpan<byte> block, Span<double> scales)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        for (int sub = 0; sub < 8; sub++) scales.Slice(32 * sub, 32).Fill(d * ScaleMin(sub, block.Slice(4, 12)).Scale);
    }

    /// <summary>
    /// <c>block_q6_K { u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d; }</c>: 4 low bits in ql, 2 high in qh, sixteen
    /// signed 8-bit scales; y = d·scale·(q - 32).
    /// </summary>
    public static void Q6_K(ReadOnlySpan<byte> block, Span<float> y) => Decode(block, y, Q6_KCodes, Q6_KZero);

    /// <summary>Q6_K's stored side: q in 0..63 (four low bits in ql, two high in qh) around 32, d·sc per 16 elements.</summary>
    public static int Q6_KIntegers(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales) =>
        Stored(block, integers, scales, Q6_KCodes, Q6_KZero);

    // Q6_K's 6-bit codes in element order and its sixteen sub-block scales d·sc, exact in float32 (an f16 times an int8).
    private static void Q6_KCodes(ReadOnlySpan<byte> block, Span<byte> codes, Span<float> subScales)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block[208..]);
        for (int sub = 0; sub < 16; sub++) subScales[sub] = d * (sbyte)block[192 + sub];
        for (int n = 0; n < 2; n++)
        {
            var ql = block.Slice(64 * n, 64);
            var qh = block.Slice(128 + 32 * n, 32);
            for (int l = 0; l < 32; l++)
            {
                int at = 128 * n + l;
                codes[at] = (byte)((ql[l] & 0xF) | ((qh[l] & 3) << 4));
                codes[at + 32] = (byte)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
                codes[at + 64] = (byte)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
                codes[at + 96] = (byte)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
            }
        }
    }

    // A block's codes, in element order, and its sixteen sub-block scales (exact in float32).
    private delegate void BlockCodes(ReadOnlySpan<byte> block, Span<byte> codes, Span<float> subScales);

    // y = sub-block scale · (code − zero), in float32 as ggml computes it (the scale is exact, so one rounding).
    private static void Decode(ReadOnlySpan<byte> block, Span<float> y, BlockCodes codesOf, int zero)
    {
        Span<byte> codes = stackalloc byte[256];
        Span<float> subScales = stackalloc float[16];
        codesOf(block, codes, subScales);
        for (int k = 0; k < 256; k++) y[k] = subScales[k / 16] * (codes[k] - zero);
    }

    private static int Stored(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales, BlockCodes codesOf, int zero)
    {
        Span<byte> codes = stackalloc byte[256];
        Span<float> subScales = stackalloc float[16];
        codesOf(block, codes, subScales);
        for (int k = 0; k < 256; k++) (integers[k], scales[k]) = (codes[k], subScales[k / 16]);
        return zero;
    }

    // Q3_K's scale j: low 4 bits in byte j (j < 8) or the high nibble of byte j - 8, high 2 bits in byte 8 + j % 4.
    private static int Q3Scale(ReadOnlySpan<byte> scales, int j)
    {
        int low = j < 8 ? scales[j] & 0xF : scales[j - 8] >> 4;
        int high = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
        return low | (high << 4);
    }

    // get_scale_min_k4: sub-blocks 0..3 keep scale and min in the low 6 bits of bytes j and j + 4; 4..7 split them
    // into a nibble of byte j + 4 and the top 2 bits of bytes j - 4 and j.
    private static (int Scale, int Min) ScaleMin(int j, ReadOnlySpan<byte> q) => j < 4
        ? (q[j] & 63, q[j + 4] & 63)
        : ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4));
}
