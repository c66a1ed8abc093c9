namespace NeuronKit.Tensors;

/// <summary>
/// OCP FP4 E2M1 (Microscaling Formats v1.0 §5.3.3), the code of MXFP4 and NVFP4: a sign, two exponent bits and one
/// mantissa bit, no infinities or NaN. Codes 8..15 are the negatives of 0..7 (8 is -0).
/// </summary>
internal static class Float4E2M1
{
    /// <summary>The value of each 4-bit code, indexed by the code.</summary>
    public static ReadOnlySpan<float> Values => [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];

    /// <summary>The same values as doubles, the codebook of E2M1 codes' stored side (<c>show --raw</c>).</summary>
    public static double[] Codebook { get; } = Array.ConvertAll(Values.ToArray(), level => (double)level);
}
