using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Parametrizations;

/// <summary>
/// A weight under <c>torch.nn.utils.prune</c> as float32 values: the module computes <c>weight_orig * weight_mask</c>
/// before each forward, and element e is that product, rounded once to float32 (the exact product of two float32
/// values, as PyTorch's float32 multiply gives it; exact for a float16 or bfloat16 original under a 0/1 mask).
/// </summary>
internal sealed class MaskedValues(string name, TensorInfo original, TensorInfo mask) : DecodedFloats(original.ElementCount), IPartwiseCut
{
    private readonly TensorView _original = FlatView(original), _mask = FlatView(mask);

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> values)
    {
        var kept = _original.Narrow(0, first, values.Length).ToDoubles();
        var mask = _mask.Narrow(0, first, values.Length).ToDoubles();
        for (int i = 0; i < values.Length; i++) values[i] = (float)(kept[i] * mask[i]);
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{name} is {original.Name} times {mask.Name} (torch.nn.utils.prune): NeuronKit reads the values the " +
            "module computes from the two, and does not write edited values back into them",
            [$"make it one tensor first: torch.nn.utils.prune.remove(module, '{name[(name.LastIndexOf('.') + 1)..]}') before saving"]);

    /// <summary>The original and the mask lose the same indices: each kept value is the same product.</summary>
    public IReadOnlyList<TensorCut> PartCuts(TensorCut cut) => [.. cut.Tensor.StoredParts.Select(part => TensorCut.Of(part, cut.Removed))];

    // The tensor's elements in order, one dimension: the decoded elements are counted the same way.
    internal static TensorView FlatView(TensorInfo tensor) => TensorInfo.Contiguous(tensor.Name, tensor.DType, [tensor.ElementCount], tensor.Storage).View();
}
