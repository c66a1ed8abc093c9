using NeuronKit.Tensors;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// TensorProto.data_type codes (onnx.proto <c>TensorProto.DataType</c>): ONNX's name for each, and the dtype NeuronKit
/// reads it as, or null for types it does not read (strings, 8/4/2-bit floats and ints).
/// </summary>
internal static class OnnxDataTypes
{
    private static readonly Dictionary<int, (string Name, DType? DType)> Table = new()
    {
        [1] = ("FLOAT", DType.Float32),
        [2] = ("UINT8", DType.UInt8),
        [3] = ("INT8", DType.Int8),
        [4] = ("UINT16", DType.UInt16),
        [5] = ("INT16", DType.Int16),
        [6] = ("INT32", DType.Int32),
        [7] = ("INT64", DType.Int64),
        [8] = ("STRING", null),
        [9] = ("BOOL", DType.Bool),
        [10] = ("FLOAT16", DType.Float16),
        [11] = ("DOUBLE", DType.Float64),
        [12] = ("UINT32", DType.UInt32),
        [13] = ("UINT64", DType.UInt64),
        [14] = ("COMPLEX64", DType.Complex64),
        [15] = ("COMPLEX128", DType.Complex128),
        [16] = ("BFLOAT16", DType.BFloat16),
        [17] = ("FLOAT8E4M3FN", null),
        [18] = ("FLOAT8E4M3FNUZ", null),
        [19] = ("FLOAT8E5M2", null),
        [20] = ("FLOAT8E5M2FNUZ", null),
        [21] = ("UINT4", null),
        [22] = ("INT4", null),
        [23] = ("FLOAT4E2M1", null),
        [24] = ("FLOAT8E8M0", null),
        [25] = ("UINT2", null),
        [26] = ("INT2", null),
    };

    /// <summary>The type's ONNX name and NeuronKit dtype; false when <paramref name="code"/> is no ONNX type at all.</summary>
    public static bool TryFind(int code, out string name, out DType? dtype)
    {
        bool known = Table.TryGetValue(code, out var entry);
        (name, dtype) = known ? entry : ($"data_type {code}", null);
        return known;
    }
}
