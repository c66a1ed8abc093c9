using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// The dtype strings of safetensors' <c>enum Dtype</c> (safetensors/src/tensor.rs), each with its size in bits and the
/// <see cref="DType"/> NeuronKit reads it as; null for the types it cannot read yet (sub-byte floats).
/// </summary>
internal static class SafetensorsDTypes
{
    /// <summary>One safetensors dtype.</summary>
    /// <param name="Code">The string in the header (<c>F32</c>).</param>
    /// <param name="Bits">Bits per element.</param>
    /// <param name="DType">What NeuronKit reads it as, or null.</param>
    /// <param name="Meaning">What the type is, for the refusal of an unreadable one.</param>
    public sealed record Entry(string Code, int Bits, DType? DType, string Meaning);

    private static readonly Entry[] Table =
    [
        new("BOOL", 8, Tensors.DType.Bool, "bool"),
        new("U8", 8, Tensors.DType.UInt8, "uint8"),
        new("I8", 8, Tensors.DType.Int8, "int8"),
        new("I16", 16, Tensors.DType.Int16, "int16"),
        new("U16", 16, Tensors.DType.UInt16, "uint16"),
        new("I32", 32, Tensors.DType.Int32, "int32"),
        new("U32", 32, Tensors.DType.UInt32, "uint32"),
        new("I64", 64, Tensors.DType.Int64, "int64"),
        new("U64", 64, Tensors.DType.UInt64, "uint64"),
        new("F16", 16, Tensors.DType.Float16, "float16"),
        new("BF16", 16, Tensors.DType.BFloat16, "bfloat16"),
        new("F32", 32, Tensors.DType.Float32, "float32"),
        new("F64", 64, Tensors.DType.Float64, "float64"),
        new("F8_E4M3", 8, Tensors.DType.Float8E4M3FN, "float8_e4m3fn"),     // safetensors' E4M3 is the OCP "FN" variant (torch.float8_e4m3fn)
        new("F8_E5M2", 8, Tensors.DType.Float8E5M2, "float8_e5m2"),
        new("F8_E4M3FNUZ", 8, Tensors.DType.Float8E4M3FNUZ, "float8_e4m3fnuz"),
        new("F8_E5M2FNUZ", 8, Tensors.DType.Float8E5M2FNUZ, "float8_e5m2fnuz"),
        new("F8_E8M0", 8, Tensors.DType.Float8E8M0, "float8_e8m0fnu"),
        new("F4", 4, null, "4-bit float E2M1, packed two per byte"),
        new("F6_E2M3", 6, null, "6-bit float E2M3, packed"),
        new("F6_E3M2", 6, null, "6-bit float E3M2, packed"),
        new("C64", 64, Tensors.DType.Complex64, "complex64"),        // the spec has no C128
    ];

    private static readonly Dictionary<string, Entry> ByCode = Table.ToDictionary(e => e.Code, StringComparer.Ordinal);

    /// <summary>The entry for <paramref name="code"/>, or null when safetensors defines no such dtype.</summary>
    public static Entry? Find(string code) => ByCode.GetValueOrDefault(code);

    /// <summary>Every code, for error messages.</summary>
    public static IEnumerable<string> Codes => Table.Select(e => e.Code);
}
