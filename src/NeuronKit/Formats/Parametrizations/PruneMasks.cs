using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Parametrizations;

/// <summary>
/// <c>torch.nn.utils.prune</c> (<c>l1_unstructured</c>, <c>ln_structured</c>, <c>global_unstructured</c>, …) leaves a
/// pruned parameter NAME as <c>NAME_orig</c> (the parameter) and <c>NAME_mask</c> (a buffer of 0s and 1s) until
/// <c>prune.remove</c>, and a state dict saved in between holds the two. Each such pair is read as the one tensor NAME
/// the module computes with, <c>NAME_orig * NAME_mask</c> (<see cref="MaskedValues"/>), stored as
/// <c>float32·NAME_mask</c>; so a masked neuron reads as the zeros it computes with. A pair of other shapes or dtypes stays
/// as it is.
/// </summary>
internal static class PruneMasks
{
    private const string OriginalSuffix = "_orig", MaskSuffix = "_mask";

    /// <summary><paramref name="tensors"/> with every pruned parameter read as the one its module computes, at the place of its original.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        if (!tensors.Any(t => t.Name.EndsWith(MaskSuffix, StringComparison.Ordinal))) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var original in tensors.Where(t => t.Name.EndsWith(OriginalSuffix, StringComparison.Ordinal)))
        {
            string name = original.Name[..^OriginalSuffix.Length];
            if (name.Length == 0 || name.EndsWith('.') || byName.ContainsKey(name) || byName.GetValueOrDefault(name + MaskSuffix) is not { } mask
                || !Fits(original, mask))
                continue;
            var values = new MaskedValues(name, original, mask);
            decoded.Add(TensorInfo.Contiguous(name, DType.Float32, [.. original.Shape], new TensorStorage(name, values, 0, values.Length))
                with { StoredAs = $"{original.DType.Name()}·{mask.Name[(mask.Name.LastIndexOf('.') + 1)..]}" }, original, mask);
        }
        return decoded.Replace(tensors);
    }

    // A float original, whose product with its mask float32 holds exactly, and a real mask of its shape (PyTorch's is of its dtype).
    private static bool Fits(TensorInfo original, TensorInfo mask) =>
        original.DType is DType.Float32 or DType.Float16 or DType.BFloat16 && mask.Shape.SequenceEqual(original.Shape) && !mask.DType.IsComplex();
}
