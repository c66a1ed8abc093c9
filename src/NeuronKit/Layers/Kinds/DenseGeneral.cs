using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// Flax's DenseGeneral as attention uses it (flax/linen/attention.py, MultiHeadDotProductAttention; Keras 2's
/// MultiHeadAttention keeps the same shapes in its query, key, value and attention_output): a projection into heads,
/// kernel [in, heads, head_dim] with bias [heads, head_dim], so unit h·D + d is kernel[:, h, d] and bias[h, d]; and the
/// projection out of them, kernel [heads, head_dim, out] with bias [out], unit j kernel[:, :, j] (its heads' weights)
/// and bias[j], told from a Conv1D kernel [k, in, out] of the same shapes by its name.
/// </summary>
internal sealed class DenseGeneral : ILayerKind
{
    private const string Heads = "[in, heads, head_dim]", Output = "[heads, head_dim, out]";

    // The names Flax and Keras give the projection out of the heads.
    private static readonly HashSet<string> OutputNames = new(StringComparer.Ordinal) { "out", "attention_output" };

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["DenseGeneral"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly("kernel", "bias") || candidate.Find("kernel") is not { Shape.Count: 3 } kernel) return null;
        var bias = candidate.Find("bias");
        string shape = kernel.Shape.Text();
        if (bias is { Shape.Count: 2 } && bias.Shape.SequenceEqual(kernel.Shape.Skip(1)))
            return [Layer(candidate, kernel, bias, Heads, [$"kernel {shape} and bias {bias.Shape.Text()}: a projection into heads as Flax's " +
                "DenseGeneral stores it, kernel [in, heads, head_dim]: unit h·head_dim + d is kernel[:, h, d]"])];
        if (OutputNames.Contains(candidate.ModuleName) && (bias is null || bias.Shape.SequenceEqual([kernel.Shape[2]])))
            return [Layer(candidate, kernel, bias, Output, [$"name '{candidate.ModuleName}' and kernel {shape}: attention's projection out of " +
                "its heads as Flax's DenseGeneral stores it, kernel [heads, head_dim, out]: unit j is kernel[:, :, j]"])];
        return null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "kernel", "bias");
        var kernel = candidate.Find("kernel") is { Shape.Count: 3 } found ? found
            : throw new RequestException($"{request.Name} needs a 3-d kernel, {Heads} or {Output}, and '{candidate.Module}' has none");
        var bias = candidate.Find("bias");
        bool heads = bias is { Shape.Count: 2 };
        if (bias is not null && !bias.Shape.SequenceEqual(heads ? kernel.Shape.Skip(1) : [kernel.Shape[2]]))
            throw new RequestException($"{bias.Name} is {bias.Shape.Text()}, which fits neither {Heads} nor {Output} for kernel {kernel.Shape.Text()}");
        return [Layer(candidate, kernel, bias, heads ? Heads : Output, [request.Evidence, heads
            ? $"bias {bias!.Shape.Text()}: kernel {Heads}, unit h·head_dim + d is kernel[:, h, d]"
            : $"kernel {Output}: unit j is kernel[:, :, j]"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var kernel = layer.Role("weight")!.Tensor;
        var bias = layer.Role("bias")?.Tensor;
        if (layer.Layout == Output)
        {
            var weight = new NeuronPart(kernel, PartRole.Weight, new TensorSlice([SliceItem.All, SliceItem.All, SliceItem.At(neuron)]),
                note: $"unit {neuron} is kernel[:, :, {neuron}]: its weights from each head's outputs");
            return bias is null ? [weight] : [weight, new NeuronPart(bias, PartRole.Bias, TensorSlice.Row(neuron))];
        }
        long dim = kernel.Shape[2], head = neuron / dim, d = neuron % dim;
        var unit = new NeuronPart(kernel, PartRole.Weight, new TensorSlice([SliceItem.All, SliceItem.At(head), SliceItem.At(d)]),
            note: $"unit {neuron} is dimension {d} of head {head}: kernel[:, {head}, {d}]");
        return bias is null ? [unit] : [unit, new NeuronPart(bias, PartRole.Bias, new TensorSlice([SliceItem.At(head), SliceItem.At(d)]))];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups)
    {
        var shape = layer.Role("weight")!.Tensor.Shape;
        return groups != 1 ? null : layer.Layout == Output ? shape[0] * shape[1] : shape[0];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        var kernel = layer.Role("weight")!.Tensor;
        if (groups != 1) return null;
        if (layer.Layout != Output)
        {
            var inputs = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
            return [new NeuronPart(kernel, PartRole.Weight, new TensorSlice([inputs, SliceItem.All, SliceItem.All]))];
        }
        // Input h·head_dim + d is kernel[h, d, :]; a run of whole heads is kernel[h0:h1, :, :].
        long dim = kernel.Shape[1];
        if (count == 1) return [new NeuronPart(kernel, PartRole.Weight, new TensorSlice([SliceItem.At(first / dim), SliceItem.At(first % dim), SliceItem.All]))];
        return first % dim == 0 && count % dim == 0
            ? [new NeuronPart(kernel, PartRole.Weight, new TensorSlice([SliceItem.Range(first / dim, (first + count) / dim), SliceItem.All, SliceItem.All]))]
            : null;
    }

    private Layer Layer(LayerCandidate candidate, TensorInfo kernel, TensorInfo? bias, string layout, IReadOnlyList<string> evidence) => new()
    {
        Name = candidate.Module,
        Kind = "DenseGeneral",
        NeuronCount = layout == Output ? kernel.Shape[2] : kernel.Shape[1] * kernel.Shape[2],
        Tensors = bias is null ? [new("weight", kernel)] : [new("weight", kernel), new("bias", bias)],
        Layout = layout,
        Evidence = evidence,
        Implementation = this,
    };
}
