using System.Buffers.Binary;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// ggml's non-linear 4-bit formats: each 4-bit code picks one of sixteen unevenly spaced levels
/// (<c>kvalues_iq4nl</c>, denser near zero, where weights are), times the block's scale. Decoded as ggml-quants.c's
/// <c>dequantize_row_iq4_nl</c> and <c>_iq4_xs</c> do, in float32 and their order of operations; low nibbles hold
/// elements 0..15 of each 32, high nibbles 16..31.
/// </summary>
internal static class NonLinearQuants
{
    // ggml-common.h's kvalues_iq4nl.
    private static ReadOnlySpan<sbyte> Levels => [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

    /// <summary><c>block_iq4_nl { f16 d; u8 qs[16]; }</c>: y = d·level[q].</summary>
    public static void IQ4_NL(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        Decode(block.Slice(2, 16), d, y);
    }

    /// <summary>
    /// <c>block_iq4_xs { f16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128]; }</c>: eight 32-element sub-blocks, each
    /// with a 6-bit scale (low 4 bits in scales_l, high 2 in scales_h); y = d·(scale - 32)·level[q].
    /// </summary>
    public static void IQ4_XS(ReadOnlySpan<byte> block, Span<float> y)
    {
        for (int sub = 0; sub < 8; sub++) Decode(block.Slice(8 + 16 * sub, 16), SubBlockScale(block, sub), y.Slice(32 * sub, 32));
    }

    /// <summary>iq4_nl's stored side: each element's code into <c>kvalues_iq4nl</c>, and the block's d.</summary>
    public static GgmlCodebook IQ4_NLCodes { get; } = new(LevelsAsDoubles(), (block, codes, scales) =>
    {
        scales[..32].Fill((float)BinaryPrimitives.ReadHalfLittleEndian(block));
        GgmlNibbles.Split(block.Slice(2, 16), codes);
    });

    /// <summary>iq4_xs's stored side: each element's code, and its sub-block's scale d·(scale − 32) in float32, as ggml multiplies.</summary>
    public static GgmlCodebook IQ4_XSCodes { get; } = new(LevelsAsDoubles(), (block, codes, scales) =>
    {
        for (int sub = 0; sub < 8; sub++)
        {
            scales.Slice(32 * sub, 32).Fill(SubBlockScale(block, sub));
            GgmlNibbles.Split(block.Slice(8 + 16 * sub, 16), codes.Slice(32 * sub, 32));
        }
    });

    // An iq4_xs sub-block's scale d·(scale − 32) in float32, its 6-bit scale's low 4 bits in scales_l, high 2 in scales_h.
    private static float SubBlockScale(ReadOnlySpan<byte> block, int sub)
    {
        float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        int scalesHigh = BinaryPrimitives.ReadUInt16LittleEndian(block[2..]);
        int scale = ((block[4 + sub / 2] >> (4 * (sub % 2))) & 0xF) | (((scalesHigh >> (2 * sub)) & 3) << 4);
        return d * (scale - 32);
    }

    private static double[] LevelsAsDoubles()
    {
        var levels = new double[16];
        for (int q = 0; q < 16; q++) levels[q] = Levels[q];
        return levels;
    }

    private static void Decode(ReadOnlySpan<byte> qs, float d, Span<float> y)
    {
        for (int j = 0; j < 16; j++)
        {
            y[j] = d * Levels[qs[j] & 0xF];
            y[j + 16] = d * Levels[qs[j] >> 4];
        }
    }
}
