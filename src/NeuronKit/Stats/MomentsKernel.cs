using System.Numerics;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// The SIMD kernel: one block of float32 or float64 values into <see cref="Moments"/>, with TensorPrimitives for the
/// sums, extremes and deviations and a vector loop for the count of exact zeros.
/// </summary>
internal static class MomentsKernel
{
    /// <summary>Values per block: 64 KiB of float32, small enough that the second pass finds the block in cache.</summary>
    public const int BlockSize = 16 * 1024;

    /// <summary>Adds <paramref name="values"/> (at most <see cref="BlockSize"/>) to <paramref name="moments"/>; <paramref name="scratch"/> holds as many.</summary>
    public static void Add<T>(ReadOnlySpan<T> values, Span<T> scratch, ref Moments moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.IsEmpty) return;
        T sum = TensorPrimitives.Sum(values);
        T mean = sum / T.CreateTruncating(values.Length);
        var deviations = scratch[..values.Length];
        TensorPrimitives.Subtract(values, mean, deviations);
        moments.Add(values.Length,
            double.CreateTruncating(sum),
            double.CreateTruncating(TensorPrimitives.SumOfMagnitudes(values)),
            double.CreateTruncating(TensorPrimitives.Min(values)),
            double.CreateTruncating(TensorPrimitives.Max(values)),
            CountZeros(values),
            double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(deviations)));
    }

    /// <summary>How many values are exactly zero (-0.0 included, as <c>x == 0</c> counts it).</summary>
    public static long CountZeros<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long zeros = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
            // Equals sets every bit of a matching lane, which reads as -1 in an integer of the lane's width.
            if (typeof(T) == typeof(float))
            {
                var counts = Vector<int>.Zero;
                foreach (var v in MemoryMarshal.Cast<Vector<T>, Vector<float>>(vectors))
                    counts -= Vector.Equals(v, Vector<float>.Zero);
                zeros = Vector.Sum(counts);
            }
            else
            {
                var counts = Vector<long>.Zero;
                foreach (var v in MemoryMarshal.Cast<Vector<T>, Vector<double>>(vectors))
                    counts -= Vector.Equals(v, Vector<double>.Zero);
                zeros = Vector.Sum(counts);
            }
            i = vectors.Length * Vector<T>.Count;
        }
        for (; i < values.Length; i++)
            if (values[i] == T.Zero) zeros++;
        return zeros;
    }
}
