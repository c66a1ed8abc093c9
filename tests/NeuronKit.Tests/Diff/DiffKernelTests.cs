using NeuronKit.Diff;
using NeuronKit.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>The diff's fused kernel against plain double arithmetic, one value at a time, for float32 and float64 parts.</summary>
public class DiffKernelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(4096)]
    [InlineData(10_001)]
    public void Parts_of_any_length_give_the_sums_of_plain_double_arithmetic(int length)
    {
        // Given a part and its slightly changed copy, with a vector tail for most lengths
        var (a, b) = Pair(length, seed: length);

        // When the float32 values and the same values as float64 go through the kernel
        var fromFloats = PartDifference.Empty;
        DiffKernel.Add(a, b, ref fromFloats);
        var fromDoubles = PartDifference.Empty;
        DiffKernel.Add([.. a.Select(v => (double)v)], [.. b.Select(v => (double)v)], ref fromDoubles);

        // Then both agree with double arithmetic value by value, to the last bits a different order of sums changes
        var expected = Plain(a, b);
        foreach (var sums in new[] { fromFloats, fromDoubles })
        {
            Assert.Equal(length, sums.Count);
            Assert.Equal(expected.SquaresA, sums.SquaresA, Math.Abs(expected.SquaresA) * 1e-13);
            Assert.Equal(expected.SquaresB, sums.SquaresB, Math.Abs(expected.SquaresB) * 1e-13);
            Assert.Equal(expected.Dot, sums.Dot, Math.Abs(expected.Dot) * 1e-13);
            Assert.Equal(expected.SquaresDelta, sums.SquaresDelta, Math.Abs(expected.SquaresDelta) * 1e-13);
            Assert.Equal(expected.MaxAbs, sums.MaxAbs);
            Assert.Equal((length == 0, length == 0), (sums.AllZeroA, sums.AllZeroB));
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(64, 0)]
    [InlineData(64, 63)]
    [InlineData(67, 65)]
    public void A_NaN_anywhere_makes_the_largest_change_NaN_as_numpy_max_does(int length, int at)
    {
        // Given a pair whose B has a NaN at one place, in the vector body or the tail
        var (a, b) = Pair(length, seed: at);
        b[at] = float.NaN;

        // When it is compared
        var sums = PartDifference.Empty;
        DiffKernel.Add(a, b, ref sums);
        var fromDoubles = PartDifference.Empty;
        DiffKernel.Add([.. a.Select(v => (double)v)], [.. b.Select(v => (double)v)], ref fromDoubles);

        // Then the largest change and B's squares are NaN, A's sums are untouched, and neither side is all zero
        foreach (var s in new[] { sums, fromDoubles })
        {
            Assert.True(double.IsNaN(s.MaxAbs));
            Assert.True(double.IsNaN(s.SquaresB));
            Assert.False(double.IsNaN(s.SquaresA));
            Assert.False(s.AllZeroA || s.AllZeroB);
        }

        // And a later part without NaN does not make it a number again
        DiffKernel.Add([1f], [2f], ref sums);
        Assert.True(double.IsNaN(sums.MaxAbs));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void A_side_is_all_zero_when_every_value_is_a_zero_of_either_sign_and_not_when_one_is_the_smallest_subnormal(int length)
    {
        // Given A of zeros and negative zeros, and B the same but for one smallest positive value of its type
        float[] a = [.. Enumerable.Range(0, length).Select(i => i % 2 == 0 ? 0f : -0f)];
        float[] b = [.. a];
        b[length - 2] = float.Epsilon;
        double[] wideA = [.. a.Select(v => (double)v)];
        double[] wideB = [.. wideA];
        wideB[length - 2] = double.Epsilon;

        // When they are compared, as float32 and as float64 (whose smallest value's square is zero)
        var floats = PartDifference.Empty;
        DiffKernel.Add(a, b, ref floats);
        var doubles = PartDifference.Empty;
        DiffKernel.Add(wideA, wideB, ref doubles);

        // Then A is all zero and B is not, in both
        Assert.Equal((true, false), (floats.AllZeroA, floats.AllZeroB));
        Assert.Equal((true, false), (doubles.AllZeroA, doubles.AllZeroB));
        Assert.Equal(float.Epsilon, floats.MaxAbs);
        Assert.Equal(double.Epsilon, doubles.MaxAbs);
    }

    [Theory]
    [InlineData(float.MaxValue, -float.MaxValue)]
    [InlineData(float.Epsilon, -float.Epsilon)]
    [InlineData(1e-30f, 3e-38f)]
    [InlineData(float.PositiveInfinity, 1f)]
    public void The_largest_change_is_exact_from_the_smallest_magnitudes_to_the_largest(float x, float y)
    {
        // Given a pair of parts that differ only where x and y are swapped, in the vector body and in the tail
        var (a, _) = Pair(37, seed: 5);
        float[] b = [.. a];
        a[9] = x;
        b[9] = y;
        a[36] = y;
        b[36] = x;

        // When it is compared
        var sums = PartDifference.Empty;
        DiffKernel.Add(a, b, ref sums);

        // Then the largest change is |y - x| in double arithmetic, bit for bit
        Assert.Equal(Math.Abs((double)y - x), sums.MaxAbs);
    }

    [Fact]
    public void Parts_add_up_as_one_part_of_their_values_together()
    {
        // Given one neuron's values split into two parts (an LSTM's gate rows)
        var (a, b) = Pair(1000, seed: 3);

        // When the parts go through the kernel one after the other
        var split = PartDifference.Empty;
        DiffKernel.Add(a.AsSpan(0, 301), b.AsSpan(0, 301), ref split);
        DiffKernel.Add(a.AsSpan(301), b.AsSpan(301), ref split);

        // Then the sums are those of the whole
        var expected = Plain(a, b);
        Assert.Equal(1000, split.Count);
        Assert.Equal(expected.SquaresDelta, split.SquaresDelta, expected.SquaresDelta * 1e-13);
        Assert.Equal(expected.Dot, split.Dot, Math.Abs(expected.Dot) * 1e-13);
        Assert.Equal(expected.MaxAbs, split.MaxAbs);
    }

    [Fact]
    public void Parts_of_different_lengths_are_refused()
    {
        var sums = PartDifference.Empty;
        Assert.Throws<ArgumentException>(() => DiffKernel.Add(new float[4], new float[5], ref sums));
        Assert.Throws<ArgumentException>(() => DiffKernel.Add(new double[4], new double[3], ref sums));
    }

    [Theory]
    [InlineData("dtype_float16.pt", "dtype_bfloat16.pt")]
    [InlineData("dtype_bfloat16.pt", "dtype_float16.pt")]
    [InlineData("dtype_float16.pt", "dtype_float64.pt")]
    [InlineData("dtype_float64.pt", "dtype_bfloat16.pt")]
    public void Half_precision_and_float64_files_differ_as_their_values_do_in_double_arithmetic(string a, string b)
    {
        // Given two files of the same Linear(6, 3), each stored in its own type (half precision is widened to float32
        // for the kernel; beside float64 both sides are read as doubles)
        using var modelA = Model.Open(Fixtures.Path("pytorch/" + a));
        using var modelB = Model.Open(Fixtures.Path("pytorch/" + b));

        // When they are compared
        var layer = ModelDiff.Compute(modelA, modelB).Layers.Single();

        // Then each neuron's numbers are those of its values as the library reads them, in plain double arithmetic
        Assert.Equal(3, layer.Neurons.Count);
        foreach (var n in layer.Neurons)
        {
            double[] Wide(Model m) => m.Layer("fc").Neuron(n.Index).Parts.Single(p => p.Role.Use == PartUse.Weight).ToDoubles();
            var (x, y) = (Wide(modelA), Wide(modelB));
            double delta = Math.Sqrt(x.Zip(y, (p, q) => (q - p) * (q - p)).Sum());
            Assert.Equal(delta, n.L2Delta, delta * 1e-12);
            Assert.Equal(x.Zip(y, (p, q) => Math.Abs(q - p)).Max(), n.MaxAbs);
            double cosine = x.Zip(y, (p, q) => p * q).Sum() / Math.Sqrt(x.Sum(v => v * v) * y.Sum(v => v * v));
            Assert.Equal(cosine, n.Cosine, 1e-12);
        }
    }

    // Weights about N(0, 0.02) and B = A plus a change about 1e-3, as fine-tuning leaves them.
    private static (float[] A, float[] B) Pair(int length, int seed)
    {
        var random = new Random(seed);
        float[] a = [.. Enumerable.Range(0, length).Select(_ => (float)(0.04 * random.NextDouble() - 0.02))];
        float[] b = [.. a.Select(v => v + (float)(0.002 * random.NextDouble() - 0.001))];
        return (a, b);
    }

    private static PartDifference Plain(float[] a, float[] b)
    {
        var sums = PartDifference.Empty;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i], y = b[i], delta = y - x;
            sums.Add(1, x * x, y * y, x * y, delta * delta, Math.Abs(delta), x == 0, y == 0, x != y);
        }
        return sums;
    }
}
