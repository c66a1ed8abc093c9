using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>What each pass that reads a quantized layout as one tensor (the <c>…Pairs</c> classes) gives back.</summary>
internal static class DecodedTensors
{
    /// <summary>
    /// <paramref name="tensors"/> in file order, each one named in <paramref name="decoded"/> replaced by its decoded
    /// tensor, and those in <paramref name="consumed"/> (scales, zero points, quant states) left out.
    /// </summary>
    public static IReadOnlyList<TensorInfo> Replace(IReadOnlyList<TensorInfo> tensors, IReadOnlyDictionary<string, TensorInfo> decoded, IReadOnlySet<string> consumed) =>
        decoded.Count == 0 ? tensors
            : [.. tensors.Where(t => !consumed.Contains(t.Name)).Select(t => decoded.GetValueOrDefault(t.Name) ?? t)];
}
