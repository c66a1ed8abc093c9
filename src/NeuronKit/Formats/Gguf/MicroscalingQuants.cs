using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// The 4-bit floating-point formats: each code an E2M1 float (sign, 2 exponent bits, 1 mantissa bit: 0, 0.5, 1, 1.5,
/// 2, 3, 4, 6), a block of them sharing a scale. MXFP4 is the OCP Microscaling format (gpt-oss ships its experts so):
/// 32 codes, a power-of-two E8M0 scale; NVFP4 is NVIDIA's: 16 codes per UE4M3 float scale. ggml keeps the E2M1 values
/// doubled as integers (<c>kvalues_mxfp4</c>) and halves the scale instead; decoded as ggml-quants.c's
/// <c>dequantize_row_mxfp4</c> and <c>_nvfp4</c> do, so values match ggml's bit for bit. Low nibbles hold the first
/// half of each run of codes, high nibbles the second.
/// </summary>
internal static class MicroscalingQuants
{
    /// <summary>ggml-common.h's kvalues_fp4: twice E2M1's values, codes 8..15 the negatives of 0..7.</summary>
    internal static ReadOnlySpan<sbyte> DoubledE2M1 => [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

    /// <summary><c>block_mxfp4 { u8 e; u8 qs[16]; }</c>: y = e2m1[q]·2^(e - 127).</summary>
    public static void MXFP4(ReadOnlySpan<byte> block, Span<float> y) => Decode(block.Slice(1, 16), HalfOfE8M0(block[0]), y);

    /// <summary><c>block_nvfp4 { u8 d[4]; u8 qs[32]; }</c>: four 16-element sub-blocks, y = e2m1[q]·ue4m3(d[s]).</summary>
    public static void NVFP4(ReadOnlySpan<byte> block, Span<float> y)
    {
        for (int sub = 0; sub < 4; sub++)
            Decode(block.Slice(4 + 8 * sub, 8), HalfOfUE4M3(block[sub]), y.Slice(16 * sub, 16));
    }

    /// <summary>
    /// mxfp4's stored side: each element's E2M1 code, and the block's scale 2^(e − 127) (E2M1's own levels under the
    /// whole scale, where ggml doubles the one and halves the other; the products are the same, exactly).
    /// </summary>
    public static GgmlCodebook MXFP4Codes { get; } = new(Float4E2M1.Codebook, (block, codes, scales) =>
    {
        scales[..32].Fill(2.0 * HalfOfE8M0(block[0]));
        GgmlNibbles.Split(block.Slice(1, 16), codes);
    });

    /// <summary>nvfp4's stored side: each element's E2M1 code, and its sub-block's UE4M3 scale.</summary>
    public static GgmlCodebook NVFP4Codes { get; } = new(Float4E2M1.Codebook, (block, codes, scales) =>
    {
        for (int sub = 0; sub < 4; sub++)
        {
            scales.Slice(16 * sub, 16).Fill(2.0 * HalfOfUE4M3(block[sub]));
            GgmlNibbles.Split(block.Slice(4 + 8 * sub, 8), codes.Slice(16 * sub, 16));
        }
    });

    private static void Decode(ReadOnlySpan<byte> qs, float halfScale, Span<float> y)
    {
        int half = qs.Length;
        for (int j = 0; j < half; j++)
        {
            y[j] = DoubledE2M1[qs[j] & 0xF] * halfScale;
            y[j + half] = DoubledE2M1[qs[j] >> 4] * halfScale;
        }
    }

    /// <summary>
    /// 2^(e - 128), the E8M0 scale halved (ggml_e8m0_to_fp32_half): e = 0 and 1 are subnormal floats. ggml leaves e = 255
    /// (E8M0's NaN) a plain power of two, and so does this.
    /// </summary>
    internal static float HalfOfE8M0(byte e) => BitConverter.UInt32BitsToSingle(e < 2 ? 0x00200000u << e : (uint)(e - 1) << 23);

    // An unsigned E4M3 float (4 exponent bits, bias 7, 3 mantissa bits) halved, as ggml_ue4m3_to_fp32; 0 and 0x7F
    // (E4M3's NaN) read as 0.
    private static float HalfOfUE4M3(byte x)
    {
        if (x is 0 or 0x7F) return 0f;
        int exponent = (x >> 3) & 0xF, mantissa = x & 7;
        float raw = exponent == 0 ? MathF.ScaleB(mantissa, -9) : MathF.ScaleB(1f + mantissa / 8f, exponent - 7);
        return raw * 0.5f;
    }
}
