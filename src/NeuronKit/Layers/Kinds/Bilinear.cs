using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// torch.nn.Bilinear(in1, in2, out): y_j = x1ᵀ W[j] x2 + b[j], weight [out, in1, in2], bias [out], so neuron j is the matrix
/// weight[j] and bias[j]. Alone, those shapes are a Conv1d's [out, in, k]: a name saying bilinear decides it here, else Conv
/// takes it and names Bilinear. https://pytorch.org/docs/stable/generated/torch.nn.Bilinear.html
/// </summary>
internal sealed class Bilinear : ILayerKind
{
    /// <summary>How the weight is laid out.</summary>
    public const string WeightLayout = "[out, in1, in2]";

    // What a consumer's out part is: Bilinear reads two inputs, and only x1's channels are a producer's that NeuronKit follows.
    private const string FirstInput = "Bilinear's first input x1: input i is multiplied by weight[:, i] (W[:, i, :]); its second input x2's " +
        "input k by weight[:, :, k], which NeuronKit does not follow";

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["Bilinear"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly("weight", "bias") || candidate.Find("weight") is not { Shape.Count: 3 } weight
            || NameConventions.Find(NameConventions.Bilinear, candidate.ModuleName) is not { } named)
            return null;
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([weight.Shape[0]])) return null;
        return [Layer(candidate, weight, bias, [$"name '{candidate.ModuleName}' is {named.Source}: weight {weight.Shape.Text()} is {WeightLayout}, " +
            "not a Conv1d's [out, in, k]"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "weight", "bias");
        var weight = candidate.Find("weight")
            ?? throw new RequestException($"{request.Name} needs a tensor named weight, and '{candidate.Module}' has none");
        if (weight.Shape.Count != 3)
            throw new RequestException($"{request.Name} needs a 3-d weight {WeightLayout}, and {weight.Name} is {weight.Shape.Text()}");
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([weight.Shape[0]]))
            throw new RequestException($"{bias.Name} is {bias.Shape.Text()}, but {request.Name}'s weight {weight.Shape.Text()} has {weight.Shape[0]} outputs on dim 0");
        return [Layer(candidate, weight, bias, [request.Evidence])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var bias = layer.Role("bias");
        var weight = Slices.Row(layer.Role("weight")!, neuron, PartRole.Weight);
        return bias is null ? [weight] : [weight, Slices.Row(bias, neuron, PartRole.Bias)];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[1];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        var inputs = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        return [new NeuronPart(layer.Role("weight")!.Tensor, PartRole.Weight, new TensorSlice(SliceItem.All, inputs), note: FirstInput)];
    }

    private Layer Layer(LayerCandidate candidate, TensorInfo weight, TensorInfo? bias, IReadOnlyList<string> evidence) => new()
    {
        Name = candidate.Module,
        Kind = "Bilinear",
        NeuronCount = weight.Shape[0],
        Tensors = bias is null ? [new("weight", weight)] : [new("weight", weight), new("bias", bias)],
        Layout = WeightLayout,
        Evidence = evidence,
        Implementation = this,
    };
}
