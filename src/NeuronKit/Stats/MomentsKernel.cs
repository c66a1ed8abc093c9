using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuronKit.Stats;

/// <summary>
/// The SIMD kernel: one block of float32 or float64 values into <see cref="Moments"/> in two passes over the block,
/// the first for the sum, sums of magnitudes and squares, extremes and count of exact zeros together, the second for the squared
/// deviations from the block's mean while the block is still in L1 cache. One fused pass beats one TensorPrimitives
/// call per statistic (seven passes, one of them writing) by about 3x; bench/NeuronKit.Benchmarks measures both.
/// </summary>
internal static class MomentsKernel
{
    /// <summary>Values per block: float lanes sum at most 256 values each before the block's total joins the double sums.</summary>
    public const int BlockSize = 4096;

    /// <summary>Adds <paramref name="values"/> (at most <see cref="BlockSize"/>) to <paramref name="moments"/>.</summary>
    // Optimised from the first call: tier-0 code of a vector loop is many times slower, and a scan is over in a second.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add<T>(ReadOnlySpan<T> values, ref Moments moments) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.IsEmpty) return;
        var vectors = Vector.IsHardwareAccelerated ? MemoryMarshal.Cast<T, Vector<T>>(values) : [];
        // Two sets of accumulators hide the adds' latency.
        Vector<T> sum0 = Vector<T>.Zero, sum1 = Vector<T>.Zero, abs0 = Vector<T>.Zero, abs1 = Vector<T>.Zero, sq0 = Vector<T>.Zero, sq1 = Vector<T>.Zero;
        Vector<T> min = new(T.PositiveInfinity), max = new(T.NegativeInfinity), zeros = Vector<T>.Zero;
        int i = 0;
        for (; i + 1 < vectors.Length; i += 2)
        {
            Vector<T> a = vectors[i], b = vectors[i + 1];
            sum0 += a;
            sum1 += b;
            abs0 += Vector.Abs(a);
            abs1 += Vector.Abs(b);
            sq0 += a * a;
            sq1 += b * b;
            min = Vector.Min(min, Vector.Min(a, b));
            max = Vector.Max(max, Vector.Max(a, b));
            // Equals sets all bits of a matching lane; as integers of the lane's width that is -1, counted below.
            zeros += Vector.Equals(a, Vector<T>.Zero) & Vector<T>.One;
            zeros += Vector.Equals(b, Vector<T>.Zero) & Vector<T>.One;
        }
        for (; i < vectors.Length; i++)
        {
            Vector<T> a = vectors[i];
            sum0 += a;
            abs0 += Vector.Abs(a);
            sq0 += a * a;
            min = Vector.Min(min, a);
            max = Vector.Max(max, a);
            zeros += Vector.Equals(a, Vector<T>.Zero) & Vector<T>.One;
        }
        T sum = Vector.Sum(sum0 + sum1), magnitudes = Vector.Sum(abs0 + abs1), squares = Vector.Sum(sq0 + sq1), low = T.PositiveInfinity, high = T.NegativeInfinity;
        T zeroCount = Vector.Sum(zeros);
        for (int lane = 0; lane < Vector<T>.Count && vectors.Length > 0; lane++)
        {
            low = T.Min(low, min[lane]);
            high = T.Max(high, max[lane]);
        }
        for (int k = vectors.Length * Vector<T>.Count; k < values.Length; k++)
        {
            T v = values[k];
            sum += v;
            magnitudes += T.Abs(v);
            squares += v * v;
            low = T.Min(low, v);
            high = T.Max(high, v);
            if (v == T.Zero) zeroCount++;
        }
        // Vector.Min and Max may drop a NaN; the sum never does, and torch.min and max say NaN then.
        if (T.IsNaN(sum) && HasNaN(values))
            low = high = T.NaN;

        T mean = sum / T.CreateTruncating(values.Length);
        var centre = new Vector<T>(mean);
        Vector<T> dev0 = Vector<T>.Zero, dev1 = Vector<T>.Zero;
        for (i = 0; i + 1 < vectors.Length; i += 2)
        {
            var a = vectors[i] - centre;
            var b = vectors[i + 1] - centre;
            dev0 += a * a;
            dev1 += b * b;
        }
        if (i < vectors.Length)
        {
            var a = vectors[i] - centre;
            dev0 += a * a;
        }
        T deviations = Vector.Sum(dev0 + dev1);
        for (int k = vectors.Length * Vector<T>.Count; k < values.Length; k++)
            deviations += (values[k] - mean) * (values[k] - mean);

        moments.Add(values.Length, double.CreateTruncating(sum), double.CreateTruncating(magnitudes), double.CreateTruncating(squares),
            double.CreateTruncating(low), double.CreateTruncating(high), long.CreateTruncating(zeroCount), double.CreateTruncating(deviations));
    }

    private static bool HasNaN<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var v in values)
            if (T.IsNaN(v)) return true;
        return false;
    }
}
