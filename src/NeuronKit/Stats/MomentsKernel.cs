using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuronKit.Stats;

/// <summary>
/// The SIMD kernel: one block of float32 or float64 values into <see cref="Moments"/>, in one pass for the sum, the sums
/// of magnitudes and squares, the extremes and the smallest magnitude together. Two rarer passes run only when a block
/// needs them, while it is still in L1 cache: counting exact zeros when the smallest magnitude is zero, and summing squared
/// deviations from the block's mean when the mean is too large for the sums alone to give the variance without cancelling.
/// One fused pass beats one TensorPrimitives call per statistic (seven passes, one of them writing) several times over;
/// bench/NeuronKit.Benchmarks measures both.
/// </summary>
internal static class MomentsKernel
{
    /// <summary>Values per block: each float lane sums at most 512 of them (two 128-bit accumulators of four lanes) before the
    /// block's totals join the double sums.</summary>
    public const int BlockSize = 4096;

    /// <summary>Adds <paramref name="values"/> (at most <see cref="BlockSize"/>) to <paramref name="moments"/>.</summary>
    // Optimised from the first call: tier-0 code of a vector loop is many times slower, and a scan is over in a second.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add<T>(ReadOnlySpan<T> values, ref Moments moments) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.IsEmpty) return;
        var vectors = Vector.IsHardwareAccelerated ? MemoryMarshal.Cast<T, Vector<T>>(values) : [];
        ref var first = ref MemoryMarshal.GetReference(vectors);
        // Two sets of accumulators hide the adds' latency. MinNative and MaxNative are one instruction each (Min and Max
        // order NaN and -0 as T.Min does, at about fifteen); a NaN is caught below through the sum, which always keeps it.
        Vector<T> sum0 = Vector<T>.Zero, sum1 = Vector<T>.Zero, abs0 = Vector<T>.Zero, abs1 = Vector<T>.Zero, sq0 = Vector<T>.Zero, sq1 = Vector<T>.Zero;
        Vector<T> min = new(T.PositiveInfinity), max = new(T.NegativeInfinity), smallest = new(T.PositiveInfinity);
        int i = 0;
        for (; i + 1 < vectors.Length; i += 2)
        {
            Vector<T> a = Unsafe.Add(ref first, i), b = Unsafe.Add(ref first, i + 1);
            Vector<T> absA = Vector.Abs(a), absB = Vector.Abs(b);
            sum0 += a;
            sum1 += b;
            abs0 += absA;
            abs1 += absB;
            sq0 += a * a;
            sq1 += b * b;
            min = Vector.MinNative(min, Vector.MinNative(a, b));
            max = Vector.MaxNative(max, Vector.MaxNative(a, b));
            smallest = Vector.MinNative(smallest, Vector.MinNative(absA, absB));
        }
        if (i < vectors.Length)
        {
            Vector<T> a = Unsafe.Add(ref first, i), absA = Vector.Abs(a);
            sum0 += a;
            abs0 += absA;
            sq0 += a * a;
            min = Vector.MinNative(min, a);
            max = Vector.MaxNative(max, a);
            smallest = Vector.MinNative(smallest, absA);
        }
        T sum = Vector.Sum(sum0 + sum1), magnitudes = Vector.Sum(abs0 + abs1), squares = Vector.Sum(sq0 + sq1);
        T low = T.PositiveInfinity, high = T.NegativeInfinity, nearest = T.PositiveInfinity;
        for (int lane = 0; lane < Vector<T>.Count && vectors.Length > 0; lane++)
        {
            low = T.Min(low, min[lane]);
            high = T.Max(high, max[lane]);
            nearest = T.Min(nearest, smallest[lane]);
        }
        for (int k = vectors.Length * Vector<T>.Count; k < values.Length; k++)
        {
            T v = values[k];
            sum += v;
            magnitudes += T.Abs(v);
            squares += v * v;
            low = T.Min(low, v);
            high = T.Max(high, v);
            nearest = T.Min(nearest, T.Abs(v));
        }
        // The sum is NaN when a value is (or when +inf meets -inf): then torch.min and max say NaN, and the smallest
        // magnitude may have lost a zero to the NaN.
        bool nan = T.IsNaN(sum) && HasNaN(values);
        if (nan) low = high = T.NaN;
        else if (typeof(T) == typeof(float) && !FloatSquaresHold(double.CreateTruncating(T.Max(T.Abs(low), T.Abs(high)))))
        {
            AddWidened(MemoryMarshal.Cast<T, float>(values), ref moments);
            return;
        }
        long zeros = nan || nearest == T.Zero ? CountZeros(values, vectors) : 0;

        // The variance from the sums alone, sum(x^2)/n - mean^2, cancels when mean^2 is large against it; while
        // n * mean^2 <= sum(x^2) / 2 (so the variance is at least mean^2) it loses at most a bit to the float sums' own
        // rounding. Beyond that (or with a NaN or infinity, or squares past a double's range, as float64 weights of 1e200
        // have, where the sums alone say inf − inf) the deviations are summed from the block's mean.
        double n = values.Length, total = double.CreateTruncating(sum), totalSquares = double.CreateTruncating(squares);
        double deviations;
        if (double.IsFinite(totalSquares) && total * total / n <= totalSquares / 2) deviations = Math.Max(totalSquares - total * total / n, 0);
        else
        {
            // The float sum's rounding moves that mean by far more than the spread of weights such as 123.4 ± 1e-4, so
            // the deviations d from it also sum to n·(true mean − centre), not 0: taking that out (and adding it back to
            // the block's total) leaves the variance and the mean with only the small d's own rounding.
            T centre = sum / T.CreateTruncating(values.Length);
            var (shift, squared) = SquaredDeviations(values, vectors, centre);
            // Where the deviations' squares overflow, so may their sum's: the variance is then infinite, as numpy says.
            double correction = shift * shift / n;
            deviations = double.IsFinite(correction) ? Math.Max(squared - correction, 0) : squared;
            if (double.IsFinite(shift)) total = n * double.CreateTruncating(centre) + shift;
        }

        moments.Add(values.Length, total, double.CreateTruncating(magnitudes), totalSquares,
            double.CreateTruncating(low), double.CreateTruncating(high), zeros, deviations);
    }

    // A float lane's sum of squares holds at most 512 of them: it overflows when a value passes 2^56, and loses its digits
    // to underflow when every value is under 2^-50 (squares under 2^-100 reach the subnormals in a few factors). Weights
    // live far inside both; a block that does not (an MXFP4 block's smallest scales, 2^-128) is measured in float64.
    private static bool FloatSquaresHold(double largestMagnitude) => largestMagnitude == 0 || (largestMagnitude >= Tiny && largestMagnitude <= Huge);

    private static readonly double Tiny = Math.ScaleB(1, -50), Huge = Math.ScaleB(1, 56);

    private static void AddWidened(ReadOnlySpan<float> values, ref Moments moments)
    {
        Span<double> wide = stackalloc double[values.Length];
        for (int k = 0; k < values.Length; k++) wide[k] = values[k];
        Add<double>(wide, ref moments);
    }

    // The sums of d and of d² for the deviations d = value − mean.
    private static (double Sum, double Squares) SquaredDeviations<T>(ReadOnlySpan<T> values, ReadOnlySpan<Vector<T>> vectors, T mean) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var centre = new Vector<T>(mean);
        Vector<T> sum0 = Vector<T>.Zero, sum1 = Vector<T>.Zero, dev0 = Vector<T>.Zero, dev1 = Vector<T>.Zero;
        int i = 0;
        for (; i + 1 < vectors.Length; i += 2)
        {
            var a = vectors[i] - centre;
            var b = vectors[i + 1] - centre;
            sum0 += a;
            sum1 += b;
            dev0 += a * a;
            dev1 += b * b;
        }
        if (i < vectors.Length)
        {
            var a = vectors[i] - centre;
            sum0 += a;
            dev0 += a * a;
        }
        T sum = Vector.Sum(sum0 + sum1), deviations = Vector.Sum(dev0 + dev1);
        for (int k = vectors.Length * Vector<T>.Count; k < values.Length; k++)
        {
            sum += values[k] - mean;
            deviations += (values[k] - mean) * (values[k] - mean);
        }
        return (double.CreateTruncating(sum), double.CreateTruncating(deviations));
    }

    private static long CountZeros<T>(ReadOnlySpan<T> values, ReadOnlySpan<Vector<T>> vectors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Equals sets all bits of a matching lane; masked with One that lane adds one (-0 matches too, as it equals 0).
        var count = Vector<T>.Zero;
        foreach (var v in vectors) count += Vector.Equals(v, Vector<T>.Zero) & Vector<T>.One;
        long zeros = long.CreateTruncating(Vector.Sum(count));
        for (int k = vectors.Length * Vector<T>.Count; k < values.Length; k++)
            if (values[k] == T.Zero) zeros++;
        return zeros;
    }

    private static bool HasNaN<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var v in values)
            if (T.IsNaN(v)) return true;
        return false;
    }
}
