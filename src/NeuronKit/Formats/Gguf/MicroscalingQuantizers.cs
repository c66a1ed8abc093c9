namespace NeuronKit.Formats.Gguf;

/// <summary>
/// ggml's reference quantizer of MXFP4 blocks (ggml-quants.c's <c>quantize_row_mxfp4_ref</c>), which edits write back,
/// in float32 and in the same order of operations, so a re-quantized block is the block llama.cpp's own tools would
/// write for the same values.
/// </summary>
internal static class MicroscalingQuantizers
{
    /// <summary>
    /// MXFP4: e = floor(log2(max|x|)) - 2 + 127 (0 for a block of zeros; ggml leaves a largest magnitude under 2^-125
    /// undefined, here e = 0), each value the code whose doubled E2M1 times half the scale lies nearest (the first of a
    /// tie); element j in the low nibble of byte j, j + 16 in its high nibble.
    /// </summary>
    public static void MXFP4(ReadOnlySpan<float> x, Span<byte> block)
    {
        float amax = 0;
        for (int j = 0; j < 32; j++)
            if (amax < MathF.Abs(x[j])) amax = MathF.Abs(x[j]);
        byte e = amax > 0 ? (byte)Math.Clamp(MathF.Floor(MathF.Log2(amax)) - 2 + 127, 0, 255) : (byte)0;
        float d = MicroscalingQuants.HalfOfE8M0(e);
        block[0] = e;
        for (int j = 0; j < 16; j++) block[1 + j] = (byte)(Nearest(x[j], d) | Nearest(x[j + 16], d) << 4);
    }

    // ggml's best_index_mxfp4: the first code of least |value·d - x|.
    private static int Nearest(float x, float d)
    {
        var levels = MicroscalingQuants.DoubledE2M1;
        int best = 0;
        float error = MathF.Abs(levels[0] * d - x);
        for (int i = 1; i < 16; i++)
        {
            float e = MathF.Abs(levels[i] * d - x);
            if (e < error)
            {
                best = i;
                error = e;
            }
        }
        return best;
    }
}
