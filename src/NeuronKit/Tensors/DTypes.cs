namespace NeuronKit.Tensors;

/// <summary>What each <see cref="DType"/> is: its size in bytes and its PyTorch name.</summary>
public static class DTypes
{
    private static readonly (DType DType, int Size, string Name)[] Table =
    [
        (DType.Float32, 4, "float32"),
        (DType.Float64, 8, "float64"),
        (DType.Float16, 2, "float16"),
        (DType.BFloat16, 2, "bfloat16"),
        (DType.Int8, 1, "int8"),
        (DType.Int16, 2, "int16"),
        (DType.Int32, 4, "int32"),
        (DType.Int64, 8, "int64"),
        (DType.UInt8, 1, "uint8"),
        (DType.Bool, 1, "bool"),
        (DType.UInt16, 2, "uint16"),
        (DType.UInt32, 4, "uint32"),
        (DType.UInt64, 8, "uint64"),
        (DType.Float8E4M3FN, 1, "float8_e4m3fn"),
        (DType.Float8E5M2, 1, "float8_e5m2"),
        (DType.Float8E4M3FNUZ, 1, "float8_e4m3fnuz"),
        (DType.Float8E5M2FNUZ, 1, "float8_e5m2fnuz"),
        (DType.Float8E8M0, 1, "float8_e8m0fnu"),
        (DType.Complex64, 8, "complex64"),
        (DType.Complex128, 16, "complex128"),
    ];

    /// <summary>
    /// The type PyTorch names <paramref name="name"/> (<c>float32</c>, <c>bfloat16</c>, …; NumPy's and ml_dtypes' names for
    /// the same types are these), or null.
    /// </summary>
    public static DType? FromName(string name)
    {
        foreach (var (dtype, _, known) in Table)
            if (known == name) return dtype;
        return null;
    }

    /// <summary>Bytes per element.</summary>
    public static int Size(this DType dtype) => Table[(int)dtype].Size;

    /// <summary>PyTorch's name for the type (<c>float32</c>, <c>bfloat16</c>, …).</summary>
    public static string Name(this DType dtype) => Table[(int)dtype].Name;

    /// <summary>True for the complex types, whose elements are (re, im) pairs: read them as <see cref="System.Numerics.Complex"/>, not double.</summary>
    public static bool IsComplex(this DType dtype) => dtype is DType.Complex64 or DType.Complex128;

    /// <summary>True for the real floating-point types.</summary>
    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.Float32 or DType.Float64 or DType.Float16 or DType.BFloat16 or DType.Float8E4M3FN or DType.Float8E5M2
            or DType.Float8E4M3FNUZ or DType.Float8E5M2FNUZ or DType.Float8E8M0;
}
