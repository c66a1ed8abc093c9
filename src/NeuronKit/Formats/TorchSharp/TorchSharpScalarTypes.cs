using NeuronKit.Tensors;

namespace NeuronKit.Formats.TorchSharp;

/// <summary>TorchSharp's <c>ScalarType</c> codes (src/TorchSharp/Tensor/Tensor.cs), as the .dat file stores them.</summary>
internal static class TorchSharpScalarTypes
{
    /// <summary>One code: TorchSharp's name, PyTorch's name, bytes per element, and our element type (null: known, not read).</summary>
    internal sealed record ScalarType(long Code, string Name, string TorchName, int Size, DType? DType, string? Refusal);

    private const string ComplexHalf = "complex32 (two float16) is a dtype NeuronKit does not read";
    private const string Quantized = "quantized tensors need their scale and zero point, which a .dat file does not keep";

    private static readonly ScalarType[] Table =
    [
        new(0, "Byte", "uint8", 1, Tensors.DType.UInt8, null),
        new(1, "Int8", "int8", 1, Tensors.DType.Int8, null),
        new(2, "Int16", "int16", 2, Tensors.DType.Int16, null),
        new(3, "Int32", "int32", 4, Tensors.DType.Int32, null),
        new(4, "Int64", "int64", 8, Tensors.DType.Int64, null),
        new(5, "Float16", "float16", 2, Tensors.DType.Float16, null),
        new(6, "Float32", "float32", 4, Tensors.DType.Float32, null),
        new(7, "Float64", "float64", 8, Tensors.DType.Float64, null),
        new(8, "ComplexFloat16", "complex32", 4, null, ComplexHalf),  // libtorch's ComplexHalf; TorchSharp comments it out
        new(9, "ComplexFloat32", "complex64", 8, Tensors.DType.Complex64, null),
        new(10, "ComplexFloat64", "complex128", 16, Tensors.DType.Complex128, null),
        new(11, "Bool", "bool", 1, Tensors.DType.Bool, null),
        new(12, "QInt8", "qint8", 1, null, Quantized),
        new(13, "QUInt8", "quint8", 1, null, Quantized),
        new(14, "QInt32", "qint32", 4, null, Quantized),
        new(15, "BFloat16", "bfloat16", 2, Tensors.DType.BFloat16, null),
    ];

    /// <summary>The code's entry, or null when TorchSharp has no such code.</summary>
    public static ScalarType? Find(long code) => Array.Find(Table, t => t.Code == code);

    /// <summary>The code TorchSharp saves <paramref name="dtype"/> under, or null when it has none.</summary>
    public static long? CodeOf(DType dtype) => Array.Find(Table, t => t.DType == dtype)?.Code;

    /// <summary>The known codes, for error hints.</summary>
    public static string Known => string.Join(", ", Table.Select(t => $"{t.Code} {t.Name}"));
}
