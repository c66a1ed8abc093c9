using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// A convolution, 1d to 3d by weight rank, any groups: weight [out, in/groups, *kernel], so filter j is weight[j]
/// whatever the groups. https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
/// </summary>
internal sealed partial class Conv : ILayerKind, INodeKind
{
    // The kernel's dimensions by weight rank - 3: Conv1d, Conv2d, Conv3d.
    private static readonly string[] KernelDims = ["k", "kH, kW", "kD, kH, kW"];

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["Conv1d", "Conv2d", "Conv3d"];

    /// <inheritdoc/>
    public IReadOnlyList<string> OpTypes { get; } = ["Conv", "QLinearConv", "ConvInteger"];

    /// <summary>True for the ranks a convolution weight has: 3, 4 or 5.</summary>
    internal static bool IsConvRank(int rank) => rank is >= 3 and <= 5;

    /// <summary>The kernel's dimensions for a weight of rank 3 to 5 (<c>kH, kW</c>).</summary>
    internal static string Kernel(int rank) => KernelDims[rank - 3];

    /// <summary>The weight rank a class name ending in 1d, 2d or 3d needs.</summary>
    internal static int RankOf(string className) => className[^2] - '0' + 2;

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly("weight", "bias") || candidate.Find("weight") is not { } weight || !IsConvRank(weight.Shape.Count))
            return null;
        if (weight.SpectralNormDim == 1) return null;   // a ConvTranspose's, which ConvTranspose.Match reads
        var bias = candidate.Find("bias");
        string name = $"Conv{weight.Shape.Count - 2}d", transposed = $"ConvTranspose{weight.Shape.Count - 2}d", shape = weight.Shape.Text();
        // spectral_norm's dimension settles what the shapes leave open.
        string? normed = weight.SpectralNormDim == 0
            ? $"its spectral norm is taken along dim 0, as torch.nn.utils.spectral_norm takes it for a {name} (dim 1 for a {transposed}): {name}"
            : null;
        // A Bilinear stores [out, in1, in2] and bias [out] as a Conv1d stores [out, in, k] and bias [out]; Bilinear.Match takes
        // it only by name, and a convolution's name settles it here.
        string? bilinear = weight.Shape.Count == 3 && NameConventions.Find(NameConventions.Convolution, candidate.ModuleName) is null
            ? $"a Bilinear({weight.Shape[1]}, {weight.Shape[2]}, {weight.Shape[0]}) stores the same {Bilinear.WeightLayout}; {name} assumed (--kind Bilinear reads it so)"
            : null;
        if (bias is null)
            return [Layer(candidate, name, weight, null, normed is null || bilinear is not null,
                [normed is null ? $"weight {shape} has no bias to tell {name} from {transposed}; {name} assumed" : $"weight {shape} has no bias; {normed}",
                 .. bilinear is null ? [] : new[] { bilinear }])];
        if (bias.Shape.Count != 1 || bias.Shape[0] != weight.Shape[0]) return null;
        List<string> evidence = [$"bias length {bias.Shape[0]} equals dim 0 of weight {shape}: output channels on dim 0, {name}"];
        long? groups = ConvTranspose.GroupsFromBias(weight, bias.Shape[0]);
        bool ambiguous = groups is not null;
        if (ambiguous)
            evidence.Add($"it also equals dim 1 ({weight.Shape[1]}) × {groups}, as a {transposed} with groups {groups} would have; " +
                (normed ?? $"{name} assumed"));
        if (bilinear is not null) evidence.Add(bilinear);
        return [Layer(candidate, name, weight, bias, (ambiguous && normed is null) || bilinear is not null, evidence)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "weight", "bias");
        int rank = RankOf(request.Name);
        var weight = candidate.Find("weight")
            ?? throw new RequestException($"{request.Name} needs a tensor named weight, and '{candidate.Module}' has none");
        if (weight.Shape.Count != rank)
            throw new RequestException($"{request.Name} needs a rank-{rank} weight [out, in/groups, {Kernel(rank)}], " +
                $"and {weight.Name} is {weight.Shape.Text()}");
        var bias = candidate.Find("bias");
        if (bias is not null && (bias.Shape.Count != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new RequestException($"{bias.Name} is {bias.Shape.Text()}, but {request.Name}'s weight {weight.Shape.Text()} " +
                $"has {weight.Shape[0]} output channels on dim 0");
        return [Layer(candidate, request.Name, weight, bias, false, [request.Evidence])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? FromNode(NodeCandidate candidate) => candidate.Node.OpType switch
    {
        "QLinearConv" => FromQLinearConv(candidate),
        "ConvInteger" => FromConvInteger(candidate),
        // ONNX Conv: X, W [M, C/group, k…], B [M] (https://onnx.ai/onnx/operators/onnx__Conv.html)
        _ => FromOperands(candidate, candidate.Constant(1), candidate.Constant(2), candidate.IsComputed(2), []),
    };

    // A convolution node's layer from its weight and bias as constants (dequantized ones too), or null when they do not fit.
    private Layer[]? FromOperands(NodeCandidate candidate, TensorInfo? weight, TensorInfo? bias, bool biasComputed, IReadOnlyList<string> facts)
    {
        if (weight is null || !IsConvRank(weight.Shape.Count)) return null;
        long groups = candidate.Node.Int("group", 1);
        if (groups < 1 || weight.Shape[0] % groups != 0 || (bias is not null && !bias.Shape.SequenceEqual([weight.Shape[0]]))) return null;
        string kind = $"Conv{weight.Shape.Count - 2}d";
        List<string> evidence = [candidate.Evidence, $"W {weight.Shape.Text()} = [M, C/group, {Kernel(weight.Shape.Count)}] with group {groups}" +
            (groups > 1 && weight.Shape[1] == 1 ? " (depthwise)" : "") + $": {kind}, filter j is W[j]", .. facts];
        if (biasComputed) evidence.Add("its bias is computed at run time, so it has no bias part");
        return [new Layer
        {
            Name = candidate.Name,
            Kind = kind,
            NeuronCount = weight.Shape[0],
            Tensors = bias is null ? [new("weight", weight)] : [new("weight", weight), new("bias", bias)],
            Layout = $"[out, in/groups, {Kernel(weight.Shape.Count)}]" + (groups > 1 ? $", groups {groups}" : ""),
            Evidence = evidence,
            Aliases = [.. candidate.Node.Outputs.Where(o => o != "")],
            Implementation = this,
        }];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var bias = layer.Role("bias");
        var weight = Slices.Row(layer.Role("weight")!, neuron, PartRole.Weight);
        return bias is null ? [weight] : [weight, Slices.Row(bias, neuron, PartRole.Bias)];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[1] * groups;

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        // weight [out, in/groups, k…]: input channel c is column c mod in/groups of its group's filters only.
        var weight = layer.Role("weight")!;
        long perGroup = weight.Tensor.Shape[1], outPerGroup = weight.Tensor.Shape[0] / groups, group = first / perGroup;
        var filters = groups == 1 ? SliceItem.All : SliceItem.Range(group * outPerGroup, (group + 1) * outPerGroup);
        var inputs = count == 1 ? SliceItem.At(first % perGroup) : SliceItem.Range(first % perGroup, first % perGroup + count);
        return [new NeuronPart(weight.Tensor, PartRole.Weight, new TensorSlice(filters, inputs))];
    }

    private Layer Layer(LayerCandidate candidate, string kind, TensorInfo weight, TensorInfo? bias, bool assumed, IReadOnlyList<string> evidence) => new()
    {
        Name = candidate.Module,
        Kind = kind,
        NeuronCount = weight.Shape[0],
        Tensors = bias is null ? [new("weight", weight)] : [new("weight", weight), new("bias", bias)],
        Layout = $"[out, in/groups, {Kernel(weight.Shape.Count)}]",
        Evidence = evidence,
        Assumed = assumed,
        Implementation = this,
    };
}
