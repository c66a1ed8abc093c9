using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// A fully connected layer. torch.nn.Linear stores weight (out, in), so neuron j is row j; GPT-2's Conv1D stores it
/// (in, out), so neuron j is column j. Bias length tells them apart unless the weight is square.
/// </summary>
internal sealed partial class Linear : ILayerKind
{
    /// <summary>The layout of torch.nn.Linear: weight [out, in].</summary>
    public const string OutIn = "(out, in)";

    /// <summary>The transposed layout of GPT-2's Conv1D, Keras Dense and ONNX MatMul: weight [in, out].</summary>
    public const string InOut = "(in, out)";

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["Linear", "NonDynamicallyQuantizableLinear", "Conv1D", KerasDense];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (candidate.Find(NameConventions.SelectionBias) is { } selection) return Router(candidate, selection);
        if (MatchKernel(candidate) is { } dense) return dense;
        if (!candidate.HasOnly("weight", "bias") || candidate.Find("weight") is not { Shape.Count: 2 } weight) return null;
        var bias = candidate.Find("bias");
        if (bias is not null && bias.Shape.Count != 1) return null;
        var convention = NameConventions.Find(NameConventions.InOutLinear, candidate.ModuleName);
        string shape = weight.Shape.Text();
        string? byName = convention is null ? null : $"name '{candidate.ModuleName}' is {convention.Source}, which stores the weight (in, out)";
        string? outInByName = NameConventions.Find(NameConventions.OutInLinear, candidate.ModuleName) is { } linear
            ? $"name '{candidate.ModuleName}' is {linear.Source}, which stores the weight (out, in)"
            : null;
        if (bias is null)
            return byName is not null || outInByName is not null
                ? [Layer(candidate, weight, null, byName is not null ? InOut : OutIn, false, [byName ?? outInByName!, $"weight {shape} has no bias to say otherwise"])]
                : [Layer(candidate, weight, null, OutIn, true,
                    [$"weight {shape} has no bias to tell (out, in) from (in, out); (out, in) assumed, as torch.nn.Linear stores it"])];

        long length = bias.Shape[0];
        bool fitsOutIn = length == weight.Shape[0], fitsInOut = length == weight.Shape[1];
        return (fitsOutIn, fitsInOut) switch
        {
            (true, true) when byName is not null =>
                [Layer(candidate, weight, bias, InOut, false, [byName, $"bias length {length} fits either dimension of the square weight {shape}"])],
            (true, true) when outInByName is not null =>
                [Layer(candidate, weight, bias, OutIn, false, [outInByName, $"bias length {length} fits either dimension of the square weight {shape}"])],
            (true, true) =>
                [Layer(candidate, weight, bias, OutIn, true,
                    [$"bias length {length} fits either dimension of the square weight {shape}; (out, in) assumed, as torch.nn.Linear stores it"])],
            (true, false) =>
                [Layer(candidate, weight, bias, OutIn, false,
                    [$"bias length {length} equals dim 0 of weight {shape}: (out, in)", .. byName is null ? [] : new[] { $"{byName}, but the bias decides" }])],
            (false, true) =>
                [Layer(candidate, weight, bias, InOut, false,
                    [.. byName is null ? [] : new[] { byName }, $"bias length {length} equals dim 1, not dim 0, of weight {shape}: (in, out)"])],
            _ => null,
        };
    }

    // DeepSeek-V3's router keeps a bias per expert beside its weight that only ranks the experts (added to their scores to
    // choose them, not to the gate values they are weighted by): no neuron's bias, so left to a layer of its own.
    private IReadOnlyList<Layer>? Router(LayerCandidate candidate, TensorInfo selection) =>
        candidate.HasOnly("weight", NameConventions.SelectionBias) && candidate.Find("weight") is { Shape: [var experts, _] } weight
            && selection.Shape.SequenceEqual([experts])
            ? [Layer(candidate, weight, null, OutIn, false, [$"{selection.Name} {selection.Shape.Text()} is DeepSeek-V3's per-expert " +
                $"selection bias beside its router: weight {weight.Shape.Text()} is (out, in), a row per expert; the selection bias " +
                "ranks the experts and is added to no output, so it is a layer of its own"])]
            : null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        if (request.Name == KerasDense) return ReadKernel(candidate, request);
        // A lone tensor of any name can be read as a weight: --kind Linear on a fallback layer.
        var weight = candidate.Find("weight") ?? (candidate.Tensors.Count == 1 ? candidate.Tensors[0].Tensor : null)
            ?? throw new RequestException($"{request.Name} needs a tensor named weight; '{candidate.Module}' has " +
                string.Join(", ", candidate.Tensors.Select(t => t.Tensor.Name)));
        if (candidate.Tensors.Count > 1) candidate.RequireOnly(request, "weight", "bias");
        if (weight.Shape.Count != 2)
            throw new RequestException($"{request.Name} needs a 2-d weight, and {weight.Name} is {weight.Shape.Text()}");
        string layout = request.Layout ?? (request.Name == "Conv1D" ? InOut : OutIn);
        long outputs = layout == OutIn ? weight.Shape[0] : weight.Shape[1];
        var bias = candidate.Tensors.Count > 1 ? candidate.Find("bias") : null;
        if (bias is not null && (bias.Shape.Count != 1 || bias.Shape[0] != outputs))
            throw new RequestException($"{bias.Name} is {bias.Shape.Text()}, but a {layout} weight {weight.Shape.Text()} " +
                $"needs a bias of [{outputs}]");
        string facts = layout == OutIn ? "weight [out, in]: neuron j is row j" : "weight [in, out]: neuron j is column j";
        return [Layer(candidate, weight, bias, layout, false, [request.Evidence, facts])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var weight = layer.Role("weight")!;
        var bias = layer.Role("bias");
        var weightPart = layer.Layout == InOut
            ? Slices.Column(weight, neuron, PartRole.Weight, note: $"column {neuron}: this weight is stored (in, out), so row {neuron} would be input {neuron}'s weights to every output")
            : Slices.Row(weight, neuron, PartRole.Weight);
        return bias is null ? [weightPart] : [weightPart, BiasPart(bias, neuron, layer.NeuronCount)];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[layer.Layout == InOut ? 0 : 1];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        var inputs = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        var weight = layer.Role("weight")!;
        return [new NeuronPart(weight.Tensor, PartRole.Weight, layer.Layout == InOut ? new TensorSlice(inputs) : new TensorSlice(SliceItem.All, inputs))];
    }

    private Layer Layer(LayerCandidate candidate, TensorInfo weight, TensorInfo? bias, string layout, bool assumed, IReadOnlyList<string> evidence) => new()
    {
        Name = candidate.Module,
        Kind = "Linear",
        NeuronCount = layout == OutIn ? weight.Shape[0] : weight.Shape[1],
        Tensors = bias is null ? [new("weight", weight)] : [new("weight", weight), new("bias", bias)],
        Layout = layout,
        Evidence = evidence,
        Assumed = assumed,
        Implementation = this,
    };
}
