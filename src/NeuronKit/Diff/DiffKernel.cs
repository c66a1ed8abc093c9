using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuronKit.Diff;

/// <summary>
/// The diff's SIMD kernel: one weight part of a neuron in A against the same part in B, in one pass for the sums of
/// squares of A and of B, their dot product, the sum of squares and the largest magnitude of the difference, and whether
/// each side is all zero. float32 values are read where they lie and widened to double in registers, so every product
/// and sum is a double's, as numpy computes the table in float64 (a float32's square is exact in a double and never
/// underflows). One fused pass replaces six TensorPrimitives passes over widened copies, one of them writing the
/// difference out.
/// </summary>
internal static class DiffKernel
{
    /// <summary>Adds <paramref name="a"/> compared with <paramref name="b"/> (of the same length) to <paramref name="sums"/>.</summary>
    // Optimised from the first call: tier-0 code of a vector loop is many times slower, and a diff is over in a second.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ref PartDifference sums)
    {
        if (a.Length != b.Length) throw new ArgumentException("the parts compared differ in length", nameof(b));
        // Two sets of accumulators, one per half of each widened vector, hide the adds' latency; the largest change is
        // kept as its square, already there, in one more: nine in all, so that even 128-bit code's sixteen registers
        // hold them and the loop's temporaries without spilling one to the stack every step.
        Vector<double> squaresA0 = Vector<double>.Zero, squaresA1 = Vector<double>.Zero, squaresB0 = Vector<double>.Zero, squaresB1 = Vector<double>.Zero;
        Vector<double> dot0 = Vector<double>.Zero, dot1 = Vector<double>.Zero, squaresDelta0 = Vector<double>.Zero, squaresDelta1 = Vector<double>.Zero;
        Vector<double> largestSquare = Vector<double>.Zero;
        int vectors = Vector.IsHardwareAccelerated ? a.Length / Vector<float>.Count : 0;
        ref var firstA = ref Unsafe.As<float, Vector<float>>(ref MemoryMarshal.GetReference(a));
        ref var firstB = ref Unsafe.As<float, Vector<float>>(ref MemoryMarshal.GetReference(b));
        for (int i = 0; i < vectors; i++)
        {
            Vector.Widen(Unsafe.Add(ref firstA, i), out var a0, out var a1);
            Vector.Widen(Unsafe.Add(ref firstB, i), out var b0, out var b1);
            squaresA0 += a0 * a0;
            squaresA1 += a1 * a1;
            squaresB0 += b0 * b0;
            squaresB1 += b1 * b1;
            dot0 += a0 * b0;
            dot1 += a1 * b1;
            b0 -= a0;
            b1 -= a1;
            b0 *= b0;
            b1 *= b1;
            squaresDelta0 += b0;
            squaresDelta1 += b1;
            // MaxNative is one instruction (Max orders NaN as Math.Max does, at several); a NaN is caught below.
            largestSquare = Vector.MaxNative(largestSquare, Vector.MaxNative(b0, b1));
        }
        double squaresA = Vector.Sum(squaresA0 + squaresA1), squaresB = Vector.Sum(squaresB0 + squaresB1);
        double dot = Vector.Sum(dot0 + dot1), squaresDelta = Vector.Sum(squaresDelta0 + squaresDelta1);
        // The square root of a double's correctly rounded square is its magnitude exactly (binary floating point, no
        // underflow or overflow: a difference of two float32s squares to between 2^-298 and 2^256).
        double maxAbs = vectors > 0 ? Math.Sqrt(LargestLane(largestSquare)) : 0;
        for (int k = vectors * Vector<float>.Count; k < a.Length; k++)
        {
            double x = a[k], y = b[k], delta = y - x;
            squaresA += x * x;
            squaresB += y * y;
            dot += x * y;
            squaresDelta += delta * delta;
            maxAbs = Math.Max(maxAbs, Math.Abs(delta));
        }
        // A difference is NaN exactly when its square is, and then so is their sum (the other squares are not negative).
        if (double.IsNaN(squaresDelta)) maxAbs = double.NaN;
        // A float32's square is a positive double unless it is zero, so a side's squares sum to zero exactly when all are.
        sums.Add(a.Length, squaresA, squaresB, dot, squaresDelta, maxAbs, squaresA == 0, squaresB == 0, Differs(a, b, maxAbs));
    }

    /// <summary>Adds float64 <paramref name="a"/> compared with <paramref name="b"/> (or any values widened to double) to <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ref PartDifference sums)
    {
        if (a.Length != b.Length) throw new ArgumentException("the parts compared differ in length", nameof(b));
        Vector<double> squaresA = Vector<double>.Zero, squaresB = Vector<double>.Zero, dot = Vector<double>.Zero, squaresDelta = Vector<double>.Zero;
        Vector<double> max = Vector<double>.Zero;
        // A double's square can underflow to zero, so the zero checks gather the values' magnitude bits instead.
        Vector<ulong> bitsA = Vector<ulong>.Zero, bitsB = Vector<ulong>.Zero;
        int vectors = Vector.IsHardwareAccelerated ? a.Length / Vector<double>.Count : 0;
        ref var firstA = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetReference(a));
        ref var firstB = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetReference(b));
        for (int i = 0; i < vectors; i++)
        {
            Vector<double> x = Unsafe.Add(ref firstA, i), y = Unsafe.Add(ref firstB, i), delta = y - x;
            squaresA += x * x;
            squaresB += y * y;
            dot += x * y;
            squaresDelta += delta * delta;
            max = Vector.MaxNative(max, Vector.Abs(delta));
            bitsA |= Vector.AsVectorUInt64(Vector.Abs(x));
            bitsB |= Vector.AsVectorUInt64(Vector.Abs(y));
        }
        double sumA = Vector.Sum(squaresA), sumB = Vector.Sum(squaresB), sumDot = Vector.Sum(dot), sumDelta = Vector.Sum(squaresDelta);
        double maxAbs = vectors > 0 ? LargestLane(max) : 0;
        bool zeroA = bitsA == Vector<ulong>.Zero, zeroB = bitsB == Vector<ulong>.Zero;
        for (int k = vectors * Vector<double>.Count; k < a.Length; k++)
        {
            double x = a[k], y = b[k], delta = y - x;
            sumA += x * x;
            sumB += y * y;
            sumDot += x * y;
            sumDelta += delta * delta;
            maxAbs = Math.Max(maxAbs, Math.Abs(delta));
            zeroA &= x == 0;
            zeroB &= y == 0;
        }
        // A difference is NaN exactly when its square is, and then so is their sum (the other squares are not negative).
        if (double.IsNaN(sumDelta)) maxAbs = double.NaN;
        sums.Add(a.Length, sumA, sumB, sumDot, sumDelta, maxAbs, zeroA, zeroB, Differs(a, b, maxAbs));
    }

    // Whether a value of b differs from a's, given the largest difference: two values differ exactly when their
    // difference is not zero (IEEE subtraction does not underflow to zero), unless it is NaN; only then, rarely, are the
    // values looked at again, for a NaN against a NaN or an infinity against the same one, which are no change.
    private static bool Differs<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, double maxAbs) where T : IFloatingPointIeee754<T>
    {
        if (!double.IsNaN(maxAbs)) return maxAbs > 0;
        for (int k = 0; k < a.Length; k++)
            if (a[k] != b[k] && !(T.IsNaN(a[k]) && T.IsNaN(b[k]))) return true;
        return false;
    }

    private static double LargestLane(Vector<double> lanes)
    {
        double largest = 0;
        for (int lane = 0; lane < Vector<double>.Count; lane++) largest = Math.Max(largest, lanes[lane]);
        return largest;
    }
}
