using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// FP8 checkpoints store a Linear's weight as 8-bit floats beside the scales that give its values: DeepSeek-V3's and
/// transformers' fine-grained FP8 (Qwen3-FP8, …) a <c>weight_scale_inv</c> [⌈out/128⌉, ⌈in/128⌉] of 128×128 blocks,
/// compressed-tensors and ModelOpt a <c>weight_scale</c> per output channel ([out, 1] or [out]) or per tensor. Each
/// such weight is read as the float32 values the model computes with, <c>float(w) · scale</c> per block
/// (<see cref="ScaledFloat8Values"/>), stored as <c>float8_e4m3fn·weight_scale_inv</c> (or <c>·weight_scale</c>); the
/// scales are consumed. A pair whose shapes fit none of those stays as it is.
/// </summary>
internal static class ScaledFloat8Pairs
{
    private const long Block = 128;
    private static readonly string[] ScaleSuffixes = [".weight_scale_inv", ".weight_scale"];

    /// <summary><paramref name="tensors"/> with every scaled 8-bit float weight read through its scales.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        if (!tensors.Any(t => IsFloat8(t.DType))) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var weight in tensors.Where(t => IsFloat8(t.DType) && t.Name.EndsWith(".weight", StringComparison.Ordinal) && t.Shape.Count == 2))
        {
            string module = weight.Name[..^".weight".Length];
            foreach (string suffix in ScaleSuffixes)
            {
                if (byName.GetValueOrDefault(module + suffix) is not { } scales || Values(weight, scales, suffix) is not { } values) continue;
                decoded.Add(values, weight, scales);
                break;
            }
        }
        return decoded.Replace(tensors);
    }

    // The weight's values through its scales, or null when the scales' shape fits no known layout.
    private static TensorInfo? Values(TensorInfo weight, TensorInfo scales, string suffix)
    {
        if (scales.DType is not (DType.Float32 or DType.BFloat16 or DType.Float16)) return null;
        long rows = weight.Shape[0], columns = weight.Shape[1];
        if (rows == 0 || columns == 0) return null;
        var (blockRows, blockColumns, scaleColumns) = scales.Shape switch
        {
            [] or [1] or [1, 1] => (rows, columns, 1L),                                          // per tensor
            [var r] when r == rows => (1L, columns, 1L),                                        // per output channel
            [var r, 1] when r == rows => (1L, columns, 1L),
            [var r, var c] when r == Blocks(rows) && c == Blocks(columns) => (Block, Block, c),  // 128×128 blocks
            _ => (0L, 0L, 0L),
        };
        if (blockRows == 0) return null;
        var values = new ScaledFloat8Values(weight.Name, weight.Storage, weight.DType, columns, scales, blockRows, blockColumns, scaleColumns);
        return TensorInfo.Contiguous(weight.Name, DType.Float32, [rows, columns], new TensorStorage(weight.Name, values, 0, values.Length))
            with { StoredAs = $"{weight.DType.Name()}·{suffix[1..]}" };
    }

    private static long Blocks(long length) => (length + Block - 1) / Block;

    // The weight types: not E8M0, which only scales.
    private static bool IsFloat8(DType dtype) => dtype is DType.Float8E4M3FN or DType.Float8E5M2 or DType.Float8E4M3FNUZ or DType.Float8E5M2FNUZ;
}
