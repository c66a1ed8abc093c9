using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// torch's element types: storage class (torch/storage.py _dtype_to_storage_type_map), dtype name, bytes per
/// element, and the <see cref="Tensors.DType"/> NeuronKit reads it as (null when it cannot).
/// </summary>
internal static class TorchTypes
{
    /// <summary>One element type.</summary>
    public sealed record Entry(string? StorageClass, string DTypeName, int ElementSize, DType? DType);

    /// <summary>The untyped storage of torch ≥ 2 for new dtypes: its numel counts bytes and the dtype travels in _rebuild_tensor_v3.</summary>
    public const string UntypedStorage = "UntypedStorage";

    private static readonly Entry[] Table =
    [
        new("FloatStorage", "float32", 4, Tensors.DType.Float32),
        new("DoubleStorage", "float64", 8, Tensors.DType.Float64),
        new("HalfStorage", "float16", 2, Tensors.DType.Float16),
        new("BFloat16Storage", "bfloat16", 2, Tensors.DType.BFloat16),
        new("CharStorage", "int8", 1, Tensors.DType.Int8),
        new("ShortStorage", "int16", 2, Tensors.DType.Int16),
        new("IntStorage", "int32", 4, Tensors.DType.Int32),
        new("LongStorage", "int64", 8, Tensors.DType.Int64),
        new("ByteStorage", "uint8", 1, Tensors.DType.UInt8),
        new("BoolStorage", "bool", 1, Tensors.DType.Bool),
        new("ComplexFloatStorage", "complex64", 8, Tensors.DType.Complex64),
        new("ComplexDoubleStorage", "complex128", 16, Tensors.DType.Complex128),
        new("QInt8Storage", "qint8", 1, null),
        new("QUInt8Storage", "quint8", 1, null),
        new("QInt32Storage", "qint32", 4, null),
        new("QUInt4x2Storage", "quint4x2", 1, null),
        new("QUInt2x4Storage", "quint2x4", 1, null),
        new(null, "float8_e5m2", 1, Tensors.DType.Float8E5M2),
        new(null, "float8_e4m3fn", 1, Tensors.DType.Float8E4M3FN),
        new(null, "float8_e5m2fnuz", 1, Tensors.DType.Float8E5M2FNUZ),
        new(null, "float8_e4m3fnuz", 1, Tensors.DType.Float8E4M3FNUZ),
        new(null, "float8_e8m0fnu", 1, Tensors.DType.Float8E8M0),
        new(null, "float4_e2m1fn_x2", 1, null),
        new(null, "complex32", 4, null),
        new(null, "uint16", 2, Tensors.DType.UInt16),
        new(null, "uint32", 4, Tensors.DType.UInt32),
        new(null, "uint64", 8, Tensors.DType.UInt64),
        new(null, "bits8", 1, null),
        new(null, "bits16", 2, null),
        new(null, "bits1x8", 1, null),
        new(null, "bits2x4", 1, null),
        new(null, "bits4x2", 1, null),
    ];

    /// <summary>Every entry.</summary>
    public static IReadOnlyList<Entry> All => Table;

    /// <summary>The entry of storage class <paramref name="storageClass"/> (<c>FloatStorage</c>), or null.</summary>
    public static Entry? ByStorageClass(string storageClass) => Table.FirstOrDefault(e => e.StorageClass == storageClass);

    /// <summary>The entry of dtype <paramref name="dtypeName"/> (<c>float16</c>), or null.</summary>
    public static Entry? ByDTypeName(string dtypeName) => Table.FirstOrDefault(e => e.DTypeName == dtypeName);

    /// <summary>The dtypes NeuronKit reads, for hints.</summary>
    public static string Supported => string.Join(", ", Table.Where(e => e.DType is not null).Select(e => e.DTypeName));
}
