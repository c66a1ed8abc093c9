using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// A transposed convolution, 1d to 3d: weight [in, out/groups, *kernel], so output channels live on dim 1 and a neuron's
/// filter is a column of its group's input rows. Told from Conv by bias length, which also gives the groups.
/// https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html
/// </summary>
internal sealed class ConvTranspose : ILayerKind, INodeKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"];

    /// <inheritdoc/>
    public IReadOnlyList<string> OpTypes { get; } = ["ConvTranspose"];

    /// <summary>
    /// The groups g for which a ConvTranspose weight [in, out/g, …] has a bias of <paramref name="length"/> = dim 1 × g,
    /// with g dividing dim 0; null when there is none.
    /// </summary>
    internal static long? GroupsFromBias(TensorInfo weight, long length)
    {
        long inputs = weight.Shape[0], perGroup = weight.Shape[1];
        if (perGroup <= 0 || length <= 0 || length % perGroup != 0) return null;
        long groups = length / perGroup;
        return inputs % groups == 0 ? groups : null;
    }

    /// <summary>The groups of a ConvTranspose layer: its output channels over weight [in, out/groups, …]'s dim 1.</summary>
    internal static long Groups(Layer layer) => layer.NeuronCount / Math.Max(layer.Role("weight")!.Tensor.Shape[1], 1);

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly("weight", "bias") || candidate.Find("weight") is not { } weight || !Conv.IsConvRank(weight.Shape.Count))
            return null;
        string name = $"ConvTranspose{weight.Shape.Count - 2}d";
        if (weight.SpectralNormDim == 1) return SpectralNormed(candidate, name, weight, candidate.Find("bias"));
        if (candidate.Find("bias") is not { Shape.Count: 1 } bias || bias.Shape[0] == weight.Shape[0]
            || GroupsFromBias(weight, bias.Shape[0]) is not { } groups)
            return null;
        return [Layer(candidate, name, weight, bias, groups, false,
            [$"bias length {bias.Shape[0]} differs from dim 0 ({weight.Shape[0]}) of weight {weight.Shape.Text()} and equals " +
             $"dim 1 ({weight.Shape[1]}) × {groups}: {name}, output channels on dim 1, groups {groups}"])];
    }

    // A weight spectral-normed along dim 1 is a ConvTranspose's (spectral_norm takes dim 0 for every other module), even
    // where its bias length fits dim 0 too or it has no bias; only the groups are then left to the bias.
    private Layer[]? SpectralNormed(LayerCandidate candidate, string name, TensorInfo weight, TensorInfo? bias)
    {
        string normed = $"its spectral norm is taken along dim 1, as torch.nn.utils.spectral_norm takes it for a {name} " +
            $"(dim 0 for a Conv{weight.Shape.Count - 2}d): {name}, output channels on dim 1";
        if (bias is null)
            return [Layer(candidate, name, weight, null, 1, true,
                [$"{normed}; no bias to tell the groups, groups 1 assumed (ask for others with --kind {name}(groups=N))"])];
        if (bias.Shape.Count != 1 || GroupsFromBias(weight, bias.Shape[0]) is not { } groups) return null;
        return [Layer(candidate, name, weight, bias, groups, false,
            [$"{normed}; bias length {bias.Shape[0]} equals dim 1 ({weight.Shape[1]}) × {groups}: groups {groups}"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "weight", "bias");
        int rank = Conv.RankOf(request.Name);
        var weight = candidate.Find("weight")
            ?? throw new RequestException($"{request.Name} needs a tensor named weight, and '{candidate.Module}' has none");
        if (weight.Shape.Count != rank)
            throw new RequestException($"{request.Name} needs a rank-{rank} weight [in, out/groups, {Conv.Kernel(rank)}], " +
                $"and {weight.Name} is {weight.Shape.Text()}");
        var bias = candidate.Find("bias");
        if (bias is not null && bias.Shape.Count != 1)
            throw new RequestException($"{request.Name} needs a 1-d bias, and {bias.Name} is {bias.Shape.Text()}");
        List<string> evidence = [request.Evidence];
        bool assumed = false;
        long groups;
        if (request.Groups is { } asked)
        {
            groups = asked;
            // An empty weight passes the file's size checks whatever its dims, so dim 1 × groups is checked here.
            if (groups > weight.Shape[0] || weight.Shape[0] % groups != 0 || (Int128)weight.Shape[1] * groups > long.MaxValue)
                throw new RequestException($"groups {groups} must divide dim 0 ({weight.Shape[0]}) of {weight.Name} {weight.Shape.Text()}");
            if (bias is not null && bias.Shape[0] != weight.Shape[1] * groups)
                throw new RequestException($"{bias.Name} has {bias.Shape[0]} entries, but {request.Name} with groups {groups} and " +
                    $"weight {weight.Shape.Text()} has dim 1 ({weight.Shape[1]}) × {groups} = {weight.Shape[1] * groups} output channels");
        }
        else if (bias is not null)
        {
            groups = GroupsFromBias(weight, bias.Shape[0]) ?? throw new RequestException(
                $"{bias.Name} has {bias.Shape[0]} entries, which is not dim 1 ({weight.Shape[1]}) of {weight.Name} " +
                $"{weight.Shape.Text()} times a number of groups dividing dim 0 ({weight.Shape[0]})");
            evidence.Add($"bias length {bias.Shape[0]} equals dim 1 ({weight.Shape[1]}) × {groups}: groups {groups}");
        }
        else
        {
            groups = 1;
            assumed = true;
            evidence.Add($"no bias to tell the groups; groups 1 assumed (ask for others with --kind {request.Name}(groups=N))");
        }
        return [Layer(candidate, request.Name, weight, bias, groups, assumed, evidence)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? FromNode(NodeCandidate candidate)
    {
        // ONNX ConvTranspose: X, W [C, M/group, k…], B [M] (https://onnx.ai/onnx/operators/onnx__ConvTranspose.html)
        if (candidate.Constant(1) is not { } weight || !Conv.IsConvRank(weight.Shape.Count)) return null;
        long groups = candidate.Node.Int("group", 1);
        if (groups < 1 || weight.Shape[0] % groups != 0 || weight.Shape[1] > long.MaxValue / groups) return null;
        long outputs = weight.Shape[1] * groups;
        var bias = candidate.Constant(2);
        if (bias is not null && !bias.Shape.SequenceEqual([outputs])) return null;
        string kind = $"ConvTranspose{weight.Shape.Count - 2}d";
        List<string> evidence = [candidate.Evidence, $"W {weight.Shape.Text()} = [C, M/group, {Conv.Kernel(weight.Shape.Count)}] with group {groups}: " +
            $"{kind}, {outputs} output channels on dim 1"];
        if (candidate.IsComputed(2)) evidence.Add("its bias is computed at run time, so it has no bias part");
        return [Layer(candidate.Name, kind, weight, bias, groups, false, evidence, [.. candidate.Node.Outputs.Where(o => o != "")])];
    }

    /// <inheritdoc/>
    public bool StepsEvenly => false;

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[0];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups) =>
        // weight [in, out/groups, k…]: input channel c is row c, its group's filters all in that row.
        [new NeuronPart(layer.Role("weight")!.Tensor, PartRole.Weight, new TensorSlice(count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count)))];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var weight = layer.Role("weight")!;
        var bias = layer.Role("bias");
        long outPerGroup = weight.Tensor.Shape[1];
        long groups = layer.NeuronCount / outPerGroup;
        long inPerGroup = weight.Tensor.Shape[0] / groups;
        long group = neuron / outPerGroup, column = neuron % outPerGroup;
        long start = group * inPerGroup;
        string note = groups == 1
            ? $"output channel {neuron} lives on dim 1 of a ConvTranspose weight [in, out/groups, …]: column {column} of every " +
              $"input row; weight[{neuron}] would be input channel {neuron}'s filters"
            : $"output channel {neuron} lives on dim 1 of a ConvTranspose weight [in, out/groups, …]: column {column} of group " +
              $"{group}, whose input channels are rows {start}..{start + inPerGroup - 1}; weight[{neuron}] would be input channel {neuron}'s filters";
        var weightPart = new NeuronPart(weight.Tensor, PartRole.Weight,
            new TensorSlice(SliceItem.Range(start, start + inPerGroup), SliceItem.At(column)), note: note);
        return bias is null ? [weightPart] : [weightPart, Slices.Row(bias, neuron, PartRole.Bias)];
    }

    private Layer Layer(LayerCandidate candidate, string kind, TensorInfo weight, TensorInfo? bias, long groups, bool assumed,
        IReadOnlyList<string> evidence) => Layer(candidate.Module, kind, weight, bias, groups, assumed, evidence);

    private Layer Layer(string name, string kind, TensorInfo weight, TensorInfo? bias, long groups, bool assumed,
        IReadOnlyList<string> evidence, IReadOnlyList<string>? aliases = null) => new()
    {
        Name = name,
        Aliases = aliases ?? [],
        Kind = kind,
        NeuronCount = weight.Shape[1] * groups,
        Tensors = bias is null ? [new("weight", weight)] : [new("weight", weight), new("bias", bias)],
        Layout = $"[in, out/groups, {Conv.Kernel(weight.Shape.Count)}], groups {groups}",
        Evidence = evidence,
        Assumed = assumed,
        Implementation = this,
    };
}
