using NeuronKit.Tensors;

namespace NeuronKit.Formats.Flax;

/// <summary>
/// The dtype names Flax writes for an array (NumPy's <c>dtype.name</c>; ml_dtypes' for bfloat16 and the 8-bit floats,
/// which JAX uses): those NeuronKit reads, each a <see cref="DType"/>.
/// </summary>
internal static class FlaxDTypes
{
    private static readonly Dictionary<string, DType> ByName = new(StringComparer.Ordinal)
    {
        ["float32"] = DType.Float32, ["float64"] = DType.Float64, ["float16"] = DType.Float16, ["bfloat16"] = DType.BFloat16,
        ["int8"] = DType.Int8, ["int16"] = DType.Int16, ["int32"] = DType.Int32, ["int64"] = DType.Int64,
        ["uint8"] = DType.UInt8, ["uint16"] = DType.UInt16, ["uint32"] = DType.UInt32, ["uint64"] = DType.UInt64,
        ["bool"] = DType.Bool, ["complex64"] = DType.Complex64, ["complex128"] = DType.Complex128,
        ["float8_e4m3fn"] = DType.Float8E4M3FN, ["float8_e5m2"] = DType.Float8E5M2,
        ["float8_e4m3fnuz"] = DType.Float8E4M3FNUZ, ["float8_e5m2fnuz"] = DType.Float8E5M2FNUZ, ["float8_e8m0fnu"] = DType.Float8E8M0,
    };

    /// <summary>The type named <paramref name="name"/>, or null when NeuronKit does not read it (int4, a string type, …).</summary>
    public static DType? Of(string name) => ByName.TryGetValue(name, out var dtype) ? dtype : null;
}
