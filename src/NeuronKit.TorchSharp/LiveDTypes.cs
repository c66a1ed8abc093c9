using NeuronKit.Tensors;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>TorchSharp's element types and the NeuronKit <see cref="DType"/> each one is read as.</summary>
internal static class LiveDTypes
{
    private static readonly Dictionary<ScalarType, DType> Table = new()
    {
        [ScalarType.Float32] = DType.Float32,
        [ScalarType.Float64] = DType.Float64,
        [ScalarType.Float16] = DType.Float16,
        [ScalarType.BFloat16] = DType.BFloat16,
        [ScalarType.Int8] = DType.Int8,
        [ScalarType.Int16] = DType.Int16,
        [ScalarType.Int32] = DType.Int32,
        [ScalarType.Int64] = DType.Int64,
        [ScalarType.Byte] = DType.UInt8,
        [ScalarType.Bool] = DType.Bool,
        [ScalarType.ComplexFloat32] = DType.Complex64,
        [ScalarType.ComplexFloat64] = DType.Complex128,
    };

    /// <summary>The DType of <paramref name="type"/>, or null for types NeuronKit does not read (complex32, quantized).</summary>
    public static DType? Find(ScalarType type) => Table.TryGetValue(type, out var dtype) ? dtype : null;

    /// <summary>The types NeuronKit reads, for messages.</summary>
    public static IEnumerable<ScalarType> Readable => Table.Keys;
}
