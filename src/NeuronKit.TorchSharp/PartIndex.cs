using NeuronKit.Tensors;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>A neuron part's slice as TorchSharp indices: basic indexing only, so the result is a view of the tensor.</summary>
internal static class PartIndex
{
    /// <summary>The TorchSharp indices of <paramref name="slice"/>; a scalar's empty slice is <c>[...]</c>, the whole tensor.</summary>
    public static TensorIndex[] Of(TensorSlice slice) =>
        slice.Items.Count == 0 ? [TensorIndex.Ellipsis] : [.. slice.Items.Select(Of)];

    private static TensorIndex Of(SliceItem item) => item.Kind switch
    {
        SliceKind.Index => TensorIndex.Single(item.Start),
        SliceKind.Range => TensorIndex.Slice(item.Start, item.Stop),
        _ => TensorIndex.Colon,
    };
}
