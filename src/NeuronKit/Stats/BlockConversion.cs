using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NeuronKit.Stats;

/// <summary>Half-precision blocks widened to float32 for the kernel: exact, since float32 holds every float16 and bfloat16.</summary>
internal static class BlockConversion
{
    /// <summary>float16 bytes (little-endian) to float32.</summary>
    public static void Float16(ReadOnlySpan<byte> source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);

    /// <summary>bfloat16 bytes (little-endian) to float32: a bfloat16 is the top half of a float32, so widening is a shift.</summary>
    public static void BFloat16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var halves = MemoryMarshal.Cast<byte, ushort>(source);
        var words = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<ushort>.Count;
            for (; i <= halves.Length - step; i += step)
            {
                Vector.Widen(new Vector<ushort>(halves[i..]), out var low, out var high);
                (low << 16).CopyTo(words[i..]);
                (high << 16).CopyTo(words[(i + step / 2)..]);
            }
        }
        for (; i < halves.Length; i++) words[i] = (uint)halves[i] << 16;
    }
}
