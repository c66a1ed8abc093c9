using NeuronKit.Tensors;

namespace NeuronKit.Tests.Tensors;

/// <summary>
/// 8-bit floats against values derived by hand from the OCP OFP8 / MX specifications and ml_dtypes' FNUZ definitions
/// (PyTorch 1.13 has none of these types, so there is no library oracle here).
/// </summary>
public class Float8ConversionTests
{
    private static double Convert(DType dtype, byte bits)
    {
        var value = new double[1];
        DTypeConversion.ToDoubles(dtype, [bits], value);
        return value[0];
    }

    private static double[] All(DType dtype) => [.. Enumerable.Range(0, 256).Select(b => Convert(dtype, (byte)b))];

    [Theory]
    // E4M3FN: bias 7, S.1111.111 NaN, no infinities.
    [InlineData(DType.Float8E4M3FN, 0x00, 0.0)]
    [InlineData(DType.Float8E4M3FN, 0x01, 0.001953125)]        // smallest subnormal 2^-9
    [InlineData(DType.Float8E4M3FN, 0x07, 0.013671875)]        // largest subnormal 7·2^-9
    [InlineData(DType.Float8E4M3FN, 0x08, 0.015625)]           // smallest normal 2^-6
    [InlineData(DType.Float8E4M3FN, 0x38, 1.0)]
    [InlineData(DType.Float8E4M3FN, 0x3C, 1.5)]
    [InlineData(DType.Float8E4M3FN, 0x78, 256.0)]              // top exponent is finite
    [InlineData(DType.Float8E4M3FN, 0x7E, 448.0)]              // max 2^8·1.75
    [InlineData(DType.Float8E4M3FN, 0xC0, -2.0)]
    [InlineData(DType.Float8E4M3FN, 0xFE, -448.0)]
    // E5M2: bias 15, IEEE specials.
    [InlineData(DType.Float8E5M2, 0x01, 1.52587890625e-05)]    // smallest subnormal 2^-16
    [InlineData(DType.Float8E5M2, 0x03, 4.57763671875e-05)]    // largest subnormal 3·2^-16
    [InlineData(DType.Float8E5M2, 0x04, 6.103515625e-05)]      // smallest normal 2^-14
    [InlineData(DType.Float8E5M2, 0x3C, 1.0)]
    [InlineData(DType.Float8E5M2, 0x3E, 1.5)]
    [InlineData(DType.Float8E5M2, 0x7B, 57344.0)]              // max 2^15·1.75
    [InlineData(DType.Float8E5M2, 0xC1, -2.5)]
    [InlineData(DType.Float8E5M2, 0x7C, double.PositiveInfinity)]
    [InlineData(DType.Float8E5M2, 0xFC, double.NegativeInfinity)]
    // E4M3FNUZ: bias 8, 0x80 is the only NaN.
    [InlineData(DType.Float8E4M3FNUZ, 0x00, 0.0)]
    [InlineData(DType.Float8E4M3FNUZ, 0x01, 0.0009765625)]     // smallest subnormal 2^-10
    [InlineData(DType.Float8E4M3FNUZ, 0x08, 0.0078125)]        // smallest normal 2^-7
    [InlineData(DType.Float8E4M3FNUZ, 0x40, 1.0)]
    [InlineData(DType.Float8E4M3FNUZ, 0x78, 128.0)]
    [InlineData(DType.Float8E4M3FNUZ, 0x7F, 240.0)]            // max 2^7·1.875: S.1111.111 is finite here
    [InlineData(DType.Float8E4M3FNUZ, 0xFF, -240.0)]
    [InlineData(DType.Float8E4M3FNUZ, 0x81, -0.0009765625)]
    // E5M2FNUZ: bias 16, 0x80 is the only NaN.
    [InlineData(DType.Float8E5M2FNUZ, 0x01, 7.62939453125e-06)] // smallest subnormal 2^-17
    [InlineData(DType.Float8E5M2FNUZ, 0x04, 3.0517578125e-05)] // smallest normal 2^-15
    [InlineData(DType.Float8E5M2FNUZ, 0x40, 1.0)]
    [InlineData(DType.Float8E5M2FNUZ, 0x7C, 32768.0)]          // no infinity: 2^15
    [InlineData(DType.Float8E5M2FNUZ, 0x7F, 57344.0)]          // max 2^15·1.75
    [InlineData(DType.Float8E5M2FNUZ, 0xFF, -57344.0)]
    // E8M0: 2^(e-127), unsigned, 0xFF NaN.
    [InlineData(DType.Float8E8M0, 0x00, 5.877471754111438e-39)] // 2^-127
    [InlineData(DType.Float8E8M0, 0x7F, 1.0)]
    [InlineData(DType.Float8E8M0, 0x80, 2.0)]
    [InlineData(DType.Float8E8M0, 0x7E, 0.5)]
    [InlineData(DType.Float8E8M0, 0xFE, 1.7014118346046923e+38)] // 2^127
    public void Each_float8_variant_decodes_its_hand_derived_bit_patterns_exactly(DType dtype, int bits, double expected)
    {
        Assert.Equal(expected, Convert(dtype, (byte)bits));
    }

    [Theory]
    [InlineData(DType.Float8E4M3FN, new[] { 0x7F, 0xFF })]
    [InlineData(DType.Float8E5M2, new[] { 0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF })]
    [InlineData(DType.Float8E4M3FNUZ, new[] { 0x80 })]
    [InlineData(DType.Float8E5M2FNUZ, new[] { 0x80 })]
    [InlineData(DType.Float8E8M0, new[] { 0xFF })]
    public void Each_float8_variant_has_exactly_its_NaN_encodings(DType dtype, int[] nans)
    {
        var values = All(dtype);

        Assert.Equal(nans, Enumerable.Range(0, 256).Where(b => double.IsNaN(values[b])));
    }

    [Theory]
    [InlineData(DType.Float8E4M3FN, 0)]
    [InlineData(DType.Float8E5M2, 2)]
    [InlineData(DType.Float8E4M3FNUZ, 0)]
    [InlineData(DType.Float8E5M2FNUZ, 0)]
    [InlineData(DType.Float8E8M0, 0)]
    public void Only_E5M2_has_infinities(DType dtype, int infinities)
    {
        Assert.Equal(infinities, All(dtype).Count(double.IsInfinity));
    }

    [Theory]
    [InlineData(DType.Float8E4M3FN, true)]
    [InlineData(DType.Float8E5M2, true)]
    [InlineData(DType.Float8E4M3FNUZ, false)]
    [InlineData(DType.Float8E5M2FNUZ, false)]
    public void Negative_zero_exists_only_in_the_formats_that_keep_a_signed_zero(DType dtype, bool hasNegativeZero)
    {
        double minusZero = Convert(dtype, 0x80);

        Assert.Equal(hasNegativeZero, minusZero == 0 && double.IsNegative(minusZero));
    }

    [Fact]
    public void E8M0_has_no_zero_and_no_negative_values()
    {
        var values = All(DType.Float8E8M0).Where(v => !double.IsNaN(v)).ToArray();

        Assert.DoesNotContain(0.0, values);
        Assert.All(values, v => Assert.True(v > 0));
    }

    [Theory]
    [InlineData(DType.Float8E4M3FN)]
    [InlineData(DType.Float8E5M2)]
    [InlineData(DType.Float8E4M3FNUZ)]
    [InlineData(DType.Float8E5M2FNUZ)]
    [InlineData(DType.Float8E8M0)]
    public void Finite_positive_codes_increase_strictly_with_their_bits(DType dtype)
    {
        // Given the codes 0x00..0x7F (0x00..0xFE for E8M0) in order, skipping NaN/Inf, then their values increase:
        // subnormals join the normals without a gap or an overlap
        int top = dtype == DType.Float8E8M0 ? 0xFE : 0x7F;
        var values = Enumerable.Range(0, top + 1).Select(b => Convert(dtype, (byte)b)).Where(double.IsFinite).ToArray();

        Assert.All(values.Zip(values.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First} !< {pair.Second}"));
    }

    [Theory]
    [InlineData(DType.Float8E4M3FN)]
    [InlineData(DType.Float8E5M2)]
    [InlineData(DType.Float8E4M3FNUZ)]
    [InlineData(DType.Float8E5M2FNUZ)]
    public void Sign_bit_only_negates(DType dtype)
    {
        for (int b = 1; b < 0x80; b++)
        {
            double positive = Convert(dtype, (byte)b), negative = Convert(dtype, (byte)(b | 0x80));
            if (double.IsNaN(positive)) Assert.True(double.IsNaN(negative));
            else Assert.Equal(-positive, negative);
        }
    }

    [Fact]
    public void Unsigned_integers_convert_with_their_full_range()
    {
        var u16 = new double[2];
        DTypeConversion.ToDoubles(DType.UInt16, [0xFF, 0xFF, 0x01, 0x00], u16);
        var u32 = new double[1];
        DTypeConversion.ToDoubles(DType.UInt32, [0xFF, 0xFF, 0xFF, 0xFF], u32);
        var u64 = new double[1];
        DTypeConversion.ToDoubles(DType.UInt64, [0, 0, 0, 0, 0, 0, 0, 0x80], u64);

        Assert.Equal([65535.0, 1.0], u16);
        Assert.Equal([4294967295.0], u32);
        Assert.Equal([9223372036854775808.0], u64);
    }

    [Theory]
    [InlineData(DType.UInt16, 2, "uint16")]
    [InlineData(DType.UInt32, 4, "uint32")]
    [InlineData(DType.UInt64, 8, "uint64")]
    [InlineData(DType.Float8E4M3FN, 1, "float8_e4m3fn")]
    [InlineData(DType.Float8E5M2, 1, "float8_e5m2")]
    [InlineData(DType.Float8E4M3FNUZ, 1, "float8_e4m3fnuz")]
    [InlineData(DType.Float8E5M2FNUZ, 1, "float8_e5m2fnuz")]
    [InlineData(DType.Float8E8M0, 1, "float8_e8m0fnu")]
    public void New_dtypes_have_PyTorch_names_and_sizes(DType dtype, int size, string name)
    {
        Assert.Equal(size, dtype.Size());
        Assert.Equal(name, dtype.Name());
        Assert.Equal(name.StartsWith("float", StringComparison.Ordinal), dtype.IsFloatingPoint());
    }

    [Fact]
    public void Every_dtype_has_a_row_in_the_table()
    {
        Assert.All(Enum.GetValues<DType>(), d => Assert.False(string.IsNullOrEmpty(d.Name())));
        Assert.Equal(Enum.GetValues<DType>().Length, Enum.GetValues<DType>().Select(d => d.Name()).Distinct().Count());
    }
}
