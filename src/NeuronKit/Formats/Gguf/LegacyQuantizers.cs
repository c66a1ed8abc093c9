using System.Buffers.Binary;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// ggml's reference quantizers of the 32-element block formats that edits write back (ggml-quants.c's
/// <c>quantize_row_q8_0_ref</c> and <c>quantize_row_q4_0_ref</c>), in float32 and in the same order of operations, so a
/// re-quantized block is the block llama.cpp's own tools would write for the same values.
/// </summary>
internal static class LegacyQuantizers
{
    /// <summary>Q8_0: d = max|x| / 127, q = roundf(x / d) (half away from zero).</summary>
    public static void Q8_0(ReadOnlySpan<float> x, Span<byte> block)
    {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0;
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
        for (int j = 0; j < 32; j++) block[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// Q4_0: d = m / -8 for the value m of largest magnitude (the first one on a tie), q = min(15, (int8)(x / d + 8.5)),
    /// element j in the low nibble of byte j and element j + 16 in its high nibble.
    /// </summary>
    public static void Q4_0(ReadOnlySpan<float> x, Span<byte> block)
    {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++)
        {
            if (amax < MathF.Abs(x[j]))
            {
                amax = MathF.Abs(x[j]);
                max = x[j];
            }
        }
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0;
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
        for (int j = 0; j < 16; j++)
        {
            int low = Math.Min(15, (int)(sbyte)(x[j] * id + 8.5f));
            int high = Math.Min(15, (int)(sbyte)(x[16 + j] * id + 8.5f));
            block[2 + j] = (byte)(low | (high << 4));
        }
    }
}
