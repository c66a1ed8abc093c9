using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// torch.nn.PReLU: max(0, x) + a·min(0, x), with a slope a per channel (weight [C]) or one that every channel shares
/// (weight [1], PReLU()), so neuron j is slope j. Alone, a [C] weight is an RMSNorm's or a bias-free LayerNorm's too: a
/// name or a single slope decides it here, else Norm takes it and names PReLU. An ONNX PRelu node names its slope outright.
/// Keras' PReLU, by its class, learns alpha of its input's shape without the batch axis, 1 on each shared axis ([H, W, C]
/// after a Conv2D, [1, 1, C] with shared_axes [1, 2], [C] after a Dense), channels last: channel j's slopes are
/// alpha[…, j], or alpha[…, 0] for every channel when the channel axis is shared too.
/// https://pytorch.org/docs/stable/generated/torch.nn.PReLU.html, keras/src/layers/activations/prelu.py
/// </summary>
internal sealed class PRelu : ILayerKind, INodeKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["PReLU", Keras];

    // Keras' class, whose alpha keeps the channels on its last axis.
    private const string Keras = KindRequest.KerasPrefix + "PReLU";

    /// <inheritdoc/>
    public IReadOnlyList<string> OpTypes { get; } = ["PRelu"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? FromNode(NodeCandidate candidate)
    {
        // ONNX PRelu: X, slope, broadcast against X from its last axis (https://onnx.ai/onnx/operators/onnx__PRelu.html):
        // torch.onnx.export writes PReLU(C)'s as [C, 1, 1] before an image's [N, C, H, W], [C] before features, PReLU()'s as [1].
        if (candidate.Constant(1) is not { } slope || !IsSlopes(slope.Shape)) return null;
        // No aliases: its output is a producer's channels passed on, which the graph follows through the slope (OnnxEdges).
        return [Layer(candidate.Name, slope, false, [candidate.Evidence, $"slope {slope.Name} {slope.Shape.Text()}: neuron j is slope j"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly("weight") || candidate.Find("weight") is not { Shape.Count: 1 } weight) return null;
        // Names some models give their norms' or other lone 1-d weights settle it otherwise.
        if (NameConventions.Find(NameConventions.RmsNorm, candidate.ModuleName) is not null
            || NameConventions.Find(NameConventions.NotNorms, candidate.ModuleName) is not null)
            return null;
        if (NameConventions.Find(NameConventions.PRelu, candidate.ModuleName) is { } named)
            return [Layer(candidate, weight, true, [$"name '{candidate.ModuleName}' is {named.Source}, and its weight {weight.Shape.Text()} " +
                "alone is a PReLU's slopes; PReLU assumed (an RMSNorm or a LayerNorm without bias stores the same: --kind RMSNorm or LayerNorm reads it so)"])];
        return weight.Shape[0] == 1
            ? [Layer(candidate, weight, true, ["weight [1] alone: a norm over one channel is implausible, and PReLU() keeps its slope so; " +
                "PReLU assumed (--kind LayerNorm reads it as a norm)"])]
            : null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        string own = request.Name == Keras ? "alpha" : "weight";
        // A lone tensor of any name can be read as the slopes: --kind PReLU on a fallback layer (an ONNX PRelu's slope).
        var weight = candidate.Find(own) ?? (candidate.Tensors.Count == 1 ? candidate.Tensors[0].Tensor : null)
            ?? throw new RequestException($"{request.Name} needs a tensor named {own}; '{candidate.Module}' has " +
                string.Join(", ", candidate.Tensors.Select(t => t.Tensor.Name)));
        if (candidate.Tensors.Count > 1) candidate.RequireOnly(request, own);
        if (request.Name == Keras) return [KerasLayer(candidate.Module, weight, request.Evidence)];
        if (!IsSlopes(weight.Shape))
            throw new RequestException($"{request.Name} needs a weight [C] (one slope per channel, or [C, 1, …] as ONNX's PRelu broadcasts it) " +
                $"or [1] (one slope every channel shares), and {weight.Name} is {weight.Shape.Text()}");
        return [Layer(candidate, weight, false, [request.Evidence])];
    }

    /// <inheritdoc/>
    public bool PassesChannels => true;

    /// <inheritdoc/>
    public bool SharedByEveryChannel(Layer layer) => layer.NeuronCount == 1;

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        if (layer.Role("alpha") is not { Tensor: var alpha }) return [Slices.Row(layer.Role("weight")!, neuron, PartRole.Slope)];
        // Keras' alpha: channel j is index j of its last axis, every position of its input's other axes whole.
        int rank = alpha.Shape.Count;
        string? note = rank == 1 ? null
            : layer.NeuronCount == 1 ? "every channel's slopes are alpha[…, 0]: the channel axis is shared"
            : $"channel {neuron}'s slopes are alpha[…, {neuron}], one per position of its input: Keras keeps channels last";
        return [new NeuronPart(alpha, PartRole.Slope, new TensorSlice([.. Enumerable.Repeat(SliceItem.All, rank - 1), SliceItem.At(neuron)]), note: note)];
    }

    // keras.layers.PReLU: alpha [d…, C], its input's shape without the batch axis (1 on each shared axis), channels last.
    private Layer KerasLayer(string name, TensorInfo alpha, string evidence)
    {
        var shape = alpha.Shape;
        if (shape.Count == 0)
            throw new RequestException($"{Keras} needs an alpha of its input's shape without the batch axis, and {alpha.Name} is a scalar");
        string layout = shape.Count == 1 ? "[C]"
            : shape[^1] == 1 ? $"{shape.Text()}: the channel axis shared, every channel's"
            : $"[{string.Join(", ", shape.Take(shape.Count - 1))}, C] (channels last)";
        string says = shape.Count == 1
            ? $"alpha {shape.Text()}: one slope per unit of its input, which has no axis but the channels: channel j's slope is alpha[j]"
            : shape[^1] == 1
            ? $"alpha {shape.Text()} is 1 on its last axis, the channels (shared_axes holds it): every channel's slopes are alpha[…, 0], the layer's one neuron"
            : $"alpha {shape.Text()} has the shape of its input without the batch axis (1 on each shared axis), its channels last, where " +
              "Keras keeps them unless a layer's data_format says first: channel j's slopes are alpha[…, j]";
        return new Layer
        {
            Name = name,
            Kind = "PReLU",
            NeuronCount = shape[^1],
            Tensors = [new("alpha", alpha)],
            Layout = layout,
            Evidence = [evidence, says],
            Implementation = this,
        };
    }

    // One slope per channel, [C] or [C, 1, …] as ONNX broadcasts it per channel of an image, or one that every channel shares.
    private static bool IsSlopes(IReadOnlyList<long> shape) => shape.Count > 0 && shape.Skip(1).All(d => d == 1);

    private Layer Layer(LayerCandidate candidate, TensorInfo weight, bool assumed, IReadOnlyList<string> evidence) =>
        Layer(candidate.Module, weight, assumed, evidence);

    private Layer Layer(string name, TensorInfo weight, bool assumed, IReadOnlyList<string> evidence) => new()
    {
        Name = name,
        Kind = "PReLU",
        NeuronCount = weight.Shape[0],
        Tensors = [new("weight", weight)],
        Layout = weight.ElementCount == 1 ? $"{weight.Shape.Text()}: one slope, every channel's"
            : "[C" + string.Concat(Enumerable.Repeat(", 1", weight.Shape.Count - 1)) + "]",
        Evidence = weight.ElementCount == 1
            ? [.. evidence, $"{weight.Name} {weight.Shape.Text()} is one slope that every channel shares (num_parameters=1): the layer has one parameter, its one neuron's"]
            : evidence,
        Assumed = assumed,
        Implementation = this,
    };
}
