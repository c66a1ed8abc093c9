using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// NVFP4 checkpoints (NVIDIA's ModelOpt exports, the nvidia/…-FP4 models; llm-compressor's nvfp4-pack-quantized) store a
/// Linear's weight [out, in] as uint8 [out, in/2], two E2M1 codes a byte, beside <c>weight_scale</c>, E4M3 [out, in/16],
/// and one float32 scale for the tensor: ModelOpt's <c>weight</c> with <c>weight_scale_2</c> (block scale × it),
/// compressed-tensors' <c>weight_packed</c> with <c>weight_global_scale</c> (block scale ÷ it). Each such weight is read as
/// the float32 values the tools dequantize it into (<see cref="Nvfp4Values"/>), named <c>….weight</c>, stored as
/// <c>nvfp4·weight_scale_2</c> or <c>nvfp4·weight_global_scale</c>; the scales are consumed (an <c>input_scale</c> or
/// <c>input_global_scale</c>, the activations' own, stays beside the layer). A set whose shapes do not fit stays as it is.
/// </summary>
internal static class Nvfp4Pairs
{
    private static readonly (string Codes, string TensorScale, bool Divides)[] Layouts =
    [
        (".weight", ".weight_scale_2", false),             // ModelOpt
        (".weight_packed", ".weight_global_scale", true),  // compressed-tensors
    ];

    /// <summary><paramref name="tensors"/> with every NVFP4 weight read through its scales, at the place of its codes.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        if (!tensors.Any(t => t.DType == DType.Float8E4M3FN && t.Name.EndsWith(".weight_scale", StringComparison.Ordinal))) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var scales in tensors.Where(t => t.DType == DType.Float8E4M3FN && t.Name.EndsWith(".weight_scale", StringComparison.Ordinal)))
        {
            string module = scales.Name[..^".weight_scale".Length];
            foreach (var (codesSuffix, tensorScaleSuffix, divides) in Layouts)
            {
                if (byName.GetValueOrDefault(module + codesSuffix) is not { } codes || byName.GetValueOrDefault(module + tensorScaleSuffix) is not { } tensorScale
                    || (codesSuffix != ".weight" && byName.ContainsKey(module + ".weight"))
                    || Values(module + ".weight", codes, scales, tensorScale, divides) is not { } values)
                    continue;
                decoded.Add(values, codes, scales, tensorScale);
                break;
            }
        }
        return decoded.Replace(tensors);
    }

    // The weight's values, or null when the codes, block scales and tensor scale do not fit one another.
    private static TensorInfo? Values(string name, TensorInfo codes, TensorInfo scales, TensorInfo tensorScale, bool divides)
    {
        if (codes.DType != DType.UInt8 || codes.Shape is not [var rows, var half] || rows == 0 || half == 0
            || scales.Shape is not [var scaleRows, var blocks] || scaleRows != rows || blocks * Nvfp4Values.BlockSize != half * 2
            || tensorScale.DType != DType.Float32 || tensorScale.ElementCount != 1 || tensorScale.Shape.Count > 1)
            return null;
        float scale = tensorScale.View().ToFloats()[0];
        var values = new Nvfp4Values(name, rows, half * 2, codes.Storage, scales.Storage, scale, divides);
        string stored = $"nvfp4·{tensorScale.Name[(tensorScale.Name.LastIndexOf('.') + 1)..]}";
        return TensorInfo.Contiguous(name, DType.Float32, [rows, half * 2], new TensorStorage(name, values, 0, values.Length))
            with { StoredAs = stored };
    }
}
