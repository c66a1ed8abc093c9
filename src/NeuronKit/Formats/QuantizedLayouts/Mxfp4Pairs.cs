using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// Hugging Face's MXFP4 checkpoints (gpt-oss) store a parameter NAME as two uint8 tensors, <c>NAME_blocks</c>
/// [..., G, 16] and <c>NAME_scales</c> [..., G]; transformers dequantizes the pair into NAME [..., 32·G] when it loads
/// the model. Each such pair is read as that one float32 tensor (<see cref="Mxfp4Values"/>), stored as <c>mxfp4</c>.
/// A pair whose shapes do not fit each other is left as the two uint8 tensors it is.
/// </summary>
internal static class Mxfp4Pairs
{
    private const string BlocksSuffix = "_blocks", ScalesSuffix = "_scales";

    /// <summary><paramref name="tensors"/> with every MXFP4 pair made one tensor, at the place of its blocks.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var blocks in tensors.Where(t => t.Name.EndsWith(BlocksSuffix, StringComparison.Ordinal)))
        {
            string name = blocks.Name[..^BlocksSuffix.Length];
            if (name.Length > 0 && !byName.ContainsKey(name) && byName.GetValueOrDefault(name + ScalesSuffix) is { } scales && Fits(blocks, scales))
                decoded.Add(Values(name, blocks, scales), blocks, scales);
        }
        return decoded.Replace(tensors);
    }

    // Blocks [..., G, 16] and scales [..., G], both uint8, both whole tensors of their own bytes (safetensors' are).
    private static bool Fits(TensorInfo blocks, TensorInfo scales) =>
        blocks.DType == DType.UInt8 && scales.DType == DType.UInt8
        && blocks.Shape is [.., > 0, Mxfp4Values.GroupBytes]
        && blocks.Shape.Take(blocks.Shape.Count - 1).SequenceEqual(scales.Shape)
        && blocks.Storage.ByteLength == scales.Storage.ByteLength * Mxfp4Values.GroupBytes;

    private static TensorInfo Values(string name, TensorInfo blocks, TensorInfo scales)
    {
        long[] shape = [.. scales.Shape.Take(scales.Shape.Count - 1), checked(scales.Shape[^1] * Mxfp4Values.GroupSize)];
        var values = new Mxfp4Values(name, blocks.Storage, scales.Storage, shape.Length - 1);
        return TensorInfo.Contiguous(name, DType.Float32, shape, new TensorStorage(name, values, 0, values.Length))
            with { StoredAs = "mxfp4" };
    }
}
