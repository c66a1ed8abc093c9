using System.Buffers.Binary;
using System.Numerics;

namespace NeuronKit.Tensors;

/// <summary>
/// Exact conversion of stored little-endian elements: every real dtype NeuronKit reads fits in a double, and every
/// complex one in a <see cref="Complex"/> (two doubles).
/// </summary>
public static class DTypeConversion
{
    /// <summary>
    /// Converts <c>destination.Length</c> contiguous elements from <paramref name="source"/>; throws
    /// <see cref="RequestException"/> for a complex dtype, whose elements are two numbers each (see <see cref="ToComplex"/>).
    /// </summary>
    public static void ToDoubles(DType dtype, ReadOnlySpan<byte> source, Span<double> destination)
    {
        int n = destination.Length;
        switch (dtype)
        {
            case DType.Complex64 or DType.Complex128:
                throw NotReal(dtype);
            case DType.Float32:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                break;
            case DType.Float64:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 8)..]);
                break;
            case DType.Float16:
                for (int i = 0; i < n; i++) destination[i] = (double)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]);
                break;
            case DType.BFloat16:
                // bfloat16 is the top half of a float32, so widening is a shift.
                for (int i = 0; i < n; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]) << 16);
                break;
            case DType.Int8:
                for (int i = 0; i < n; i++) destination[i] = (sbyte)source[i];
                break;
            case DType.Int16:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(i * 2)..]);
                break;
            case DType.Int32:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt32LittleEndian(source[(i * 4)..]);
                break;
            case DType.Int64:
                // Beyond 2^53 a double cannot hold every int64; weights never get there, indices might.
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(i * 8)..]);
                break;
            case DType.UInt8:
                for (int i = 0; i < n; i++) destination[i] = source[i];
                break;
            case DType.Bool:
                for (int i = 0; i < n; i++) destination[i] = source[i] != 0 ? 1 : 0;
                break;
            case DType.UInt16:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]);
                break;
            case DType.UInt32:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadUInt32LittleEndian(source[(i * 4)..]);
                break;
            case DType.UInt64:
                // As for int64: exact up to 2^53, rounded to nearest above.
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(source[(i * 8)..]);
                break;
            case DType.Float8E4M3FN:
                Lookup(Float8Format.E4M3FN.Values, source, destination);
                break;
            case DType.Float8E5M2:
                Lookup(Float8Format.E5M2.Values, source, destination);
                break;
            case DType.Float8E4M3FNUZ:
                Lookup(Float8Format.E4M3FNUZ.Values, source, destination);
                break;
            case DType.Float8E5M2FNUZ:
                Lookup(Float8Format.E5M2FNUZ.Values, source, destination);
                break;
            case DType.Float8E8M0:
                Lookup(Float8Format.E8M0.Values, source, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null);
        }
    }

    /// <summary>
    /// Converts <c>destination.Length</c> contiguous elements from <paramref name="source"/> to complex numbers: a
    /// complex dtype's (re, im) pairs, or a real dtype's values with imaginary part 0.
    /// </summary>
    public static void ToComplex(DType dtype, ReadOnlySpan<byte> source, Span<Complex> destination)
    {
        int n = destination.Length;
        switch (dtype)
        {
            case DType.Complex64:
                for (int i = 0; i < n; i++)
                    destination[i] = new Complex(BinaryPrimitives.ReadSingleLittleEndian(source[(i * 8)..]),
                        BinaryPrimitives.ReadSingleLittleEndian(source[(i * 8 + 4)..]));
                break;
            case DType.Complex128:
                for (int i = 0; i < n; i++)
                    destination[i] = new Complex(BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 16)..]),
                        BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 16 + 8)..]));
                break;
            default:
                var real = new double[n];
                ToDoubles(dtype, source, real);
                for (int i = 0; i < n; i++) destination[i] = real[i];
                break;
        }
    }

    /// <summary>
    /// Encodes <paramref name="source"/> as <paramref name="dtype"/> into <paramref name="destination"/>, rounding to
    /// nearest even as PyTorch's casts do; only the floating types weights are stored in can be written (an integer or
    /// 8-bit float tensor is refused with <see cref="RequestException"/>, since rounding a weight into it would change
    /// what the file means).
    /// </summary>
    public static void FromDoubles(DType dtype, ReadOnlySpan<double> source, Span<byte> destination)
    {
        int n = source.Length;
        switch (dtype)
        {
            case DType.Float32:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], (float)source[i]);
                break;
            case DType.Float64:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(destination[(i * 8)..], source[i]);
                break;
            case DType.Float16:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)source[i]);
                break;
            case DType.BFloat16:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], ToBFloat16(source[i]));
                break;
            default:
                throw new RequestException($"{dtype.Name()} values cannot be written: only float32, float64, float16 and " +
                    "bfloat16 weights (and quantized ones, through their scales) are edited");
        }
    }

    // Round to nearest even straight from the double: going through float first could round twice.
    private static ushort ToBFloat16(double value)
    {
        float single = (float)value;
        uint bits = BitConverter.SingleToUInt32Bits(single);
        if (float.IsNaN(single)) return (ushort)((bits >> 16) | 0x40);
        uint lower = bits & 0xFFFF;
        uint upper = bits >> 16;
        bool up = lower > 0x8000 || (lower == 0x8000 && (value == single ? (upper & 1) == 1 : Math.Abs(value) > Math.Abs(single)));
        return (ushort)(up ? upper + 1 : upper);
    }

    /// <summary>The error of asking for a complex dtype's values as real numbers: a pair would silently lose a half.</summary>
    internal static RequestException NotReal(DType dtype, string? what = null) =>
        new($"{what ?? "the values"} {(what is null ? "are" : "is")} {dtype.Name()}: each value is a (re, im) pair, not one real number",
            ["'neuron show' prints them as (re, im) pairs; from C#, read them as System.Numerics.Complex with ToComplex()"]);

    // Every 8-bit float is one of 256 doubles, decoded once from its format's definition.
    private static void Lookup(double[] values, ReadOnlySpan<byte> source, Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = values[source[i]];
    }
}
