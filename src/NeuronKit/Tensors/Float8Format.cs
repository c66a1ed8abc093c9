namespace NeuronKit.Tensors;

/// <summary>
/// One 8-bit float encoding and its 256 values as doubles, built from the definition rather than typed in.
/// Definitions: OCP 8-bit Floating Point Specification (OFP8) rev 1.0 for E4M3FN and E5M2; OCP Microscaling
/// Formats (MX) v1.0 §5.4 for E8M0; ml_dtypes <c>float8_e4m3fnuz</c> / <c>float8_e5m2fnuz</c> (Graphcore, AMD) for FNUZ.
/// </summary>
internal sealed class Float8Format
{
    /// <summary>How a format spends its special encodings.</summary>
    public enum Specials
    {
        /// <summary>IEEE 754 style: exponent all ones is ±Inf (mantissa 0) or NaN (E5M2).</summary>
        Ieee,
        /// <summary>"Finite, NaN": no infinities; only S.1111.111 is NaN, the rest of the top exponent is finite (E4M3FN).</summary>
        FiniteNaN,
        /// <summary>"Finite, unsigned zero": no infinities, no -0; the -0 pattern 0x80 is the one NaN (FNUZ).</summary>
        FiniteUnsignedZero,
        /// <summary>No sign, no mantissa: every byte is 2^(e-bias) but 0xFF, which is NaN (E8M0).</summary>
        PowerOfTwo,
    }

    private Float8Format(int exponentBits, int mantissaBits, int bias, Specials specials)
    {
        ExponentBits = exponentBits;
        MantissaBits = mantissaBits;
        Bias = bias;
        Kind = specials;
        Values = new double[256];
        for (int b = 0; b < 256; b++) Values[b] = Decode(b);
    }

    /// <summary>OCP E4M3: bias 7, max ±448, smallest subnormal 2^-9.</summary>
    public static readonly Float8Format E4M3FN = new(4, 3, 7, Specials.FiniteNaN);

    /// <summary>OCP E5M2: bias 15, max ±57344, smallest subnormal 2^-16, ±Inf at 0x7C/0xFC.</summary>
    public static readonly Float8Format E5M2 = new(5, 2, 15, Specials.Ieee);

    /// <summary>E4M3 FNUZ: bias 8, max ±240, smallest subnormal 2^-10.</summary>
    public static readonly Float8Format E4M3FNUZ = new(4, 3, 8, Specials.FiniteUnsignedZero);

    /// <summary>E5M2 FNUZ: bias 16, max ±57344, smallest subnormal 2^-17.</summary>
    public static readonly Float8Format E5M2FNUZ = new(5, 2, 16, Specials.FiniteUnsignedZero);

    /// <summary>MX scale E8M0: 2^-127 .. 2^127, NaN at 0xFF.</summary>
    public static readonly Float8Format E8M0 = new(8, 0, 127, Specials.PowerOfTwo);

    /// <summary>Exponent field width.</summary>
    public int ExponentBits { get; }

    /// <summary>Mantissa field width.</summary>
    public int MantissaBits { get; }

    /// <summary>The exponent bias.</summary>
    public int Bias { get; }

    /// <summary>How special values are encoded.</summary>
    public Specials Kind { get; }

    /// <summary>The double each byte stands for, indexed by the byte.</summary>
    public double[] Values { get; }

    private double Decode(int bits)
    {
        int exponentMask = (1 << ExponentBits) - 1;
        if (Kind == Specials.PowerOfTwo)
            return bits == exponentMask ? double.NaN : Math.ScaleB(1.0, bits - Bias);
        bool negative = (bits & 0x80) != 0;
        int exponent = (bits >> MantissaBits) & exponentMask;
        int mantissa = bits & ((1 << MantissaBits) - 1);
        switch (Kind)
        {
            case Specials.Ieee when exponent == exponentMask:
                return mantissa == 0 ? (negative ? double.NegativeInfinity : double.PositiveInfinity) : double.NaN;
            case Specials.FiniteNaN when exponent == exponentMask && mantissa == (1 << MantissaBits) - 1:
                return double.NaN;
            case Specials.FiniteUnsignedZero when bits == 0x80:
                return double.NaN;
        }
        // Subnormals (exponent 0) have no implicit leading 1 and the exponent of the smallest normal.
        double magnitude = exponent == 0
            ? Math.ScaleB(mantissa, 1 - Bias - MantissaBits)
            : Math.ScaleB((1 << MantissaBits) + mantissa, exponent - Bias - MantissaBits);
        return negative ? -magnitude : magnitude;
    }
}
