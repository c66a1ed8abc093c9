using System.Buffers.Binary;

namespace NeuronKit.Tensors;

/// <summary>Exact conversion of stored little-endian elements to double: every dtype NeuronKit reads fits in one.</summary>
public static class DTypeConversion
{
    /// <summary>Converts <c>destination.Length</c> contiguous elements from <paramref name="source"/>.</summary>
    public static void ToDoubles(DType dtype, ReadOnlySpan<byte> source, Span<double> destination)
    {
        int n = destination.Length;
        switch (dtype)
        {
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

    // Every 8-bit float is one of 256 doubles, decoded once from its format's definition.
    private static void Lookup(double[] values, ReadOnlySpan<byte> source, Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = values[source[i]];
    }
}
