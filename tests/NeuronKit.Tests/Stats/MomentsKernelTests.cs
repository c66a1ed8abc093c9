using NeuronKit.Stats;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Stats;

/// <summary>The SIMD kernel and the half-precision widening against plain double arithmetic.</summary>
public class MomentsKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(10_001)]
    public void Blocks_of_any_length_give_the_statistics_of_plain_double_arithmetic(int length)
    {
        // Given values with a mean far from zero (where a naive std cancels), some zeros and a vector tail
        var random = new Random(length);
        float[] values = [.. Enumerable.Range(0, length).Select(i => i % 11 == 3 ? 0f : 100f + (float)random.NextDouble())];

        // When they go through the kernel in blocks, as a part does
        var moments = Moments.Empty;
        for (int at = 0; at < length; at += MomentsKernel.BlockSize)
            MomentsKernel.Add<float>(values.AsSpan(at, Math.Min(MomentsKernel.BlockSize, length - at)), ref moments);

        // Then they agree with double arithmetic on the same values
        double[] exact = [.. values.Select(v => (double)v)];
        double mean = exact.Average();
        Assert.Equal(length, moments.Count);
        Assert.Equal(exact.Count(v => v == 0), moments.Zeros);
        Assert.Equal(exact.Min(), moments.Min);
        Assert.Equal(exact.Max(), moments.Max);
        Assert.Equal(exact.Sum(Math.Abs), moments.SumOfMagnitudes, exact.Sum(Math.Abs) * 1e-6);
        Assert.Equal(Math.Sqrt(exact.Sum(v => v * v)), moments.L2, Math.Sqrt(exact.Sum(v => v * v)) * 1e-6);
        double std = Math.Sqrt(exact.Sum(v => (v - mean) * (v - mean)) / length);
        Assert.Equal(std, moments.Std, std * 1e-5);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void The_std_is_exact_whether_it_comes_from_the_sums_or_from_a_pass_over_the_deviations(double offset)
    {
        // Given a block whose mean is 0, 0.5, 1 or 3 standard deviations from zero (the sums alone give the variance
        // below one, the deviation pass above it)
        var random = new Random(7);
        float[] values = [.. Enumerable.Range(0, MomentsKernel.BlockSize).Select(_ => (float)(offset + 2 * random.NextDouble() - 1))];

        var moments = Moments.Empty;
        MomentsKernel.Add<float>(values, ref moments);

        double[] exact = [.. values.Select(v => (double)v)];
        double mean = exact.Average(), std = Math.Sqrt(exact.Sum(v => (v - mean) * (v - mean)) / exact.Length);
        Assert.Equal(std, moments.Std, std * 1e-6);
    }

    [Theory]
    [InlineData(123.4, 1e-4)]
    [InlineData(1000, 1e-3)]
    [InlineData(-3e4, 5e-3)]
    public void A_spread_a_million_times_smaller_than_the_mean_keeps_its_std_and_mean(double centre, double spread)
    {
        // Given a block of float32 values such as 123.4 ± 1e-4 (a dozen float32 steps apart): the block's float sum rounds
        // its mean off by more than the spread
        var random = new Random(11);
        float[] values = [.. Enumerable.Range(0, MomentsKernel.BlockSize).Select(_ => (float)(centre + spread * (2 * random.NextDouble() - 1)))];

        var moments = Moments.Empty;
        MomentsKernel.Add<float>(values, ref moments);

        // Then the std and the mean are still those of double arithmetic
        double[] exact = [.. values.Select(v => (double)v)];
        double mean = exact.Average(), std = Math.Sqrt(exact.Sum(v => (v - mean) * (v - mean)) / exact.Length);
        Assert.Equal(std, moments.Std, std * 1e-4);
        Assert.Equal(mean, moments.Sum / moments.Count, Math.Abs(mean) * 1e-9);
    }

    [Fact]
    public void A_NaN_after_a_zero_in_the_same_lane_does_not_hide_the_zero()
    {
        // Given a zero and, one vector later in the same lane, a NaN, then ordinary values
        float[] values = [.. Enumerable.Repeat(2f, 64)];
        values[0] = 0f;
        values[8] = float.NaN;
        values[16] = 0f;

        var moments = Moments.Empty;
        MomentsKernel.Add<float>(values, ref moments);

        Assert.Equal(2, moments.Zeros);
        Assert.True(double.IsNaN(moments.Min) && double.IsNaN(moments.Max));
    }

    [Fact]
    public void A_block_of_zeros_counts_every_one_and_has_no_spread()
    {
        var moments = Moments.Empty;
        MomentsKernel.Add<float>(new float[1000], ref moments);

        Assert.Equal(1000, moments.Zeros);
        Assert.Equal(0, moments.Std);
        Assert.Equal(0, moments.Min);
        Assert.Equal(0, moments.Max);
    }

    [Fact]
    public void Negative_zero_counts_as_zero_and_NaN_anywhere_makes_min_and_max_NaN()
    {
        float[] values = [.. Enumerable.Repeat(1f, 40)];
        values[3] = -0f;
        values[37] = float.NaN;

        var moments = Moments.Empty;
        MomentsKernel.Add<float>(values, ref moments);

        Assert.Equal(1, moments.Zeros);
        Assert.True(double.IsNaN(moments.Min) && double.IsNaN(moments.Max));
    }

    [Theory]
    [InlineData(1e-30)]   // squares under float32's smallest normal: its lanes would say 0
    [InlineData(1e-20)]
    [InlineData(1e25)]    // squares past float32's largest: its lanes would say infinity
    public void A_float_block_whose_squares_float32_cannot_hold_is_measured_in_double(double scale)
    {
        // Given a float32 block of values all near the scale (an MXFP4 block's smallest exponents give 1e-38)
        var random = new Random(3);
        float[] values = [.. Enumerable.Range(0, 1000).Select(i => (float)(scale * (i % 9 == 0 ? 0 : random.NextDouble() - 0.3)))];

        var moments = Moments.Empty;
        MomentsKernel.Add<float>(values, ref moments);

        // Then the L2 and std are those of double arithmetic, neither 0 nor infinity
        double[] exact = [.. values.Select(v => (double)v)];
        double l2 = Math.Sqrt(exact.Sum(v => v * v)), mean = exact.Average();
        double std = Math.Sqrt(exact.Sum(v => (v - mean) * (v - mean)) / exact.Length);
        Assert.Equal(l2, moments.L2, l2 * 1e-12);
        Assert.Equal(std, moments.Std, std * 1e-12);
        Assert.Equal(exact.Count(v => v == 0), moments.Zeros);
    }

    [Fact]
    public void Float64_blocks_are_measured_in_double()
    {
        double[] values = [1e-300, 2, 3, 0, 1 + 1e-15];

        var moments = Moments.Empty;
        MomentsKernel.Add<double>(values, ref moments);

        Assert.Equal(0, moments.Min);
        Assert.Equal(3, moments.Max);
        Assert.Equal(values.Sum(), moments.Sum);
        Assert.Equal(1, moments.Zeros);
    }

    [Fact]
    public void Float64_values_whose_squares_overflow_have_an_infinite_std_as_numpy_says_not_NaN()
    {
        // Given float64 weights near 1e200, finite, whose squares pass a double's range (numpy: std inf, norm inf)
        double[] values = [1e200, -2e200, 3e200, 0.5e200, -1e200];

        var moments = Moments.Empty;
        MomentsKernel.Add<double>(values, ref moments);

        Assert.Equal(double.PositiveInfinity, moments.Std);
        Assert.Equal(double.PositiveInfinity, moments.L2);
        Assert.Equal(values.Average(), moments.Sum / moments.Count, 1e186);
    }

    [Theory]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    public void Half_precision_widens_exactly_as_the_exact_conversion_does(DType dtype)
    {
        // Given every 16-bit pattern
        var bytes = new byte[65536 * 2];
        for (int i = 0; i < 65536; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 2), (ushort)i);

        // When widened by block and by the exact per-element conversion
        var floats = new float[65536];
        if (dtype == DType.Float16) BlockConversion.Float16(bytes, floats);
        else BlockConversion.BFloat16(bytes, floats);
        var doubles = new double[65536];
        DTypeConversion.ToDoubles(dtype, bytes, doubles);

        // Then every value is the same (NaN payloads aside)
        for (int i = 0; i < 65536; i++)
            Assert.True(doubles[i].Equals((double)floats[i]), $"{dtype} 0x{i:X4}: {doubles[i]} vs {floats[i]}");
    }
}
