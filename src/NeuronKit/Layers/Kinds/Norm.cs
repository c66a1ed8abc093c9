using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// BatchNorm, LayerNorm, GroupNorm, InstanceNorm, RMSNorm: per-channel weight, bias and (when tracked) running statistics,
/// so neuron j is entry j of each. Running statistics mark a BatchNorm; without the class the others look alike.
/// </summary>
internal sealed partial class Norm : ILayerKind, INodeKind
{
    private static readonly string[] Affine = ["weight", "bias"];
    private static readonly string[] Tracked = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];

    // Which tensors each class may hold; num_batches_tracked is a counter, not a part of any neuron.
    private static readonly (string Name, string[] Roles)[] Classes =
    [
        ("BatchNorm", Tracked),        // a BatchNorm whose class (and so 1d, 2d or 3d) the file does not say
        ("BatchNorm1d", Tracked),
        ("BatchNorm2d", Tracked),
        ("BatchNorm3d", Tracked),
        ("SyncBatchNorm", Tracked),
        ("InstanceNorm1d", Tracked),   // running statistics only with track_running_stats=True
        ("InstanceNorm2d", Tracked),
        ("InstanceNorm3d", Tracked),
        ("LayerNorm", Affine),         // weight may be several dims: normalized_shape
        ("GroupNorm", Affine),
        ("RMSNorm", Affine),
    ];

    // The tensors that have one entry per channel, and what entry j is to channel j (num_batches_tracked has none).
    private static readonly (string Tensor, PartRole Role)[] PerChannel =
    [
        ("weight", PartRole.Weight),
        ("bias", PartRole.Bias),
        ("running_mean", PartRole.RunningMean),
        ("running_var", PartRole.RunningVar),
    ];

    // ONNX's normalization operators: the kind each is, and which input carries each role (PyTorch's role names).
    // https://onnx.ai/onnx/operators/onnx__BatchNormalization.html (X, scale, B, input_mean, input_var),
    // onnx__LayerNormalization.html (X, Scale, B), onnx__InstanceNormalization.html (input, scale, B)
    private static readonly Dictionary<string, (string Kind, string[] Roles)> Operators = new(StringComparer.Ordinal)
    {
        ["BatchNormalization"] = ("BatchNorm", ["weight", "bias", "running_mean", "running_var"]),
        ["LayerNormalization"] = ("LayerNorm", ["weight", "bias"]),
        ["InstanceNormalization"] = ("InstanceNorm", ["weight", "bias"]),
        ["GroupNormalization"] = ("GroupNorm", ["weight", "bias"]),
        ["RMSNormalization"] = ("RMSNorm", ["weight"]),  // onnx__RMSNormalization.html (X, scale), opset 23
    };

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [.. Classes.Select(c => c.Name), .. KerasClasses.Keys];

    /// <inheritdoc/>
    public IReadOnlyList<string> OpTypes { get; } = [.. Operators.Keys];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? FromNode(NodeCandidate candidate)
    {
        var (kind, roles) = Operators[candidate.Node.OpType];
        // A file's own GroupNormalization keeps a scale per group before opset 21 and per channel from it, and the node does
        // not say which opset it is of; the one DecomposedGroupNorm makes of torch.onnx's nodes is per channel, [C, 1, …].
        if (kind == "GroupNorm" && candidate.Node.FusedFrom.Count == 0) return null;
        List<LayerTensor> tensors = [];
        for (int i = 0; i < roles.Length; i++)
            if (candidate.Constant(i + 1) is { } tensor) tensors.Add(new LayerTensor(roles[i], tensor));
        if (tensors.Count == 0 || tensors[0].Role != "weight") return null;
        var shape = tensors[0].Tensor.Shape;
        bool unsqueezed = kind == "GroupNorm" && shape.Skip(1).All(d => d == 1);
        if (shape.Count == 0 || (shape.Count > 1 && kind is not ("LayerNorm" or "RMSNorm") && !unsqueezed) || tensors.Any(t => !t.Tensor.Shape.SequenceEqual(shape)))
            return null;
        List<string> evidence = [candidate.Evidence,
            $"{string.Join(", ", tensors.Select(t => $"{t.Role} {t.Tensor.Name}"))} {shape.Text()}: {kind}, neuron j is entry j of each"];
        if (Enumerable.Range(2, roles.Length - 1).Any(candidate.IsComputed))
            evidence.Add("some of its inputs are computed at run time and are not parts");
        return [new Layer
        {
            Name = candidate.Name,
            Kind = kind,
            NeuronCount = shape[0],
            Tensors = tensors,
            Layout = shape.Count == 1 ? "[C]"
                : unsqueezed ? $"[C{string.Concat(shape.Skip(1).Select(_ => ", 1"))}]"
                : $"{shape.Text()} (normalized shape): neuron j is row j of dim 0",
            Evidence = evidence,
            Aliases = [.. candidate.Node.Outputs.Where(o => o != "")],
            Implementation = this,
        }];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (Renamed(candidate) is var (renamed, note))
            return Match(renamed) is { } layers ? [.. layers.Select(l => l.Copy(evidenceBefore: [note]))] : null;
        if (!candidate.HasOnly(Tracked)) return null;
        var first = candidate.Find("weight") ?? candidate.Find("running_mean");
        if (first is null || first.Shape.Count == 0 || !PerChannel.All(p => candidate.Find(p.Tensor) is not { } t || t.Shape.SequenceEqual(first.Shape)))
            return null;
        if (first.Shape.Count > 1)
        {
            // Only LayerNorm over several dims has a weight and a bias of one multi-dim shape; a lone multi-dim weight is not a norm.
            return candidate.Find("bias") is not null && candidate.HasOnly(Affine)
                ? [Layer(candidate, "LayerNorm", false,
                    [$"weight and bias of one shape {first.Shape.Text()}: LayerNorm over several dims (normalized_shape)"])]
                : null;
        }
        if (candidate.Find("running_mean") is not null && candidate.Find("running_var") is not null)
            return [Layer(candidate, "BatchNorm", false,
                [$"running_mean and running_var {first.Shape.Text()}: BatchNorm (the file does not say whether 1d, 2d or 3d)"])];
        if (candidate.Find("weight") is null || candidate.Find("running_mean") is not null || candidate.Find("running_var") is not null
            || candidate.Find("num_batches_tracked") is not null)
            return null;
        if (candidate.Find("bias") is null && NameConventions.Find(NameConventions.RmsNorm, candidate.ModuleName) is { } rms)
            return [Layer(candidate, "RMSNorm", false,
                [$"name '{candidate.ModuleName}' is {rms.Source}, and its weight {first.Shape.Text()} has no bias: RMSNorm [C]"])];
        // A weight-only 1-D tensor some model names as something else is left to the fallback, not guessed a norm.
        if (NameConventions.Find(NameConventions.NotNorms, candidate.ModuleName) is not null) return null;
        bool alone = candidate.Find("bias") is null;
        string tensors = alone ? $"weight {first.Shape.Text()}" : $"weight and bias {first.Shape.Text()}";
        // torch.nn.PReLU keeps a lone weight [C] too: its slopes, which PRelu.Match takes only by name.
        return [Layer(candidate, "LayerNorm", true,
            [$"{tensors} with no running statistics: a LayerNorm-family norm (LayerNorm, GroupNorm, InstanceNorm and RMSNorm " +
             $"store the same){(alone ? ", or a PReLU's slopes (--kind PReLU)" : "")}; LayerNorm assumed"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        if (KerasClasses.TryGetValue(request.Name, out string? kind))
            return Renamed(candidate) is var (renamed, note)
                ? [.. Read(renamed, request with { Name = kind }).Select(l => l.Copy(evidenceBefore: [note]))]
                : Read(candidate, request with { Name = kind });
        string[] roles = Classes.First(c => c.Name == request.Name).Roles;
        candidate.RequireOnly(request, roles);
        var first = candidate.Find("weight") ?? candidate.Find("running_mean")
            ?? throw new RequestException($"{request.Name} needs a weight{(roles == Tracked ? " or running_mean" : "")}, " +
                $"and '{candidate.Module}' has neither");
        bool severalDims = request.Name == "LayerNorm";
        if (first.Shape.Count == 0 || (first.Shape.Count > 1 && !severalDims))
            throw new RequestException($"{request.Name} needs a 1-d {LayerCandidate.RoleOf(first.Name)} [C], and {first.Name} is {first.Shape.Text()}");
        foreach (var (role, _) in PerChannel)
            if (candidate.Find(role) is { } tensor && !tensor.Shape.SequenceEqual(first.Shape))
                throw new RequestException($"{tensor.Name} is {tensor.Shape.Text()}, but {first.Name} is {first.Shape.Text()}");
        return [Layer(candidate, request.Name, false, [request.Evidence])];
    }

    /// <inheritdoc/>
    public bool PassesChannels => true;

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron) =>
        [.. PerChannel.Where(p => layer.Role(p.Tensor) is not null).Select(p => Slices.Row(layer.Role(p.Tensor)!, neuron, p.Role))];

    private Layer Layer(LayerCandidate candidate, string kind, bool assumed, IReadOnlyList<string> evidence)
    {
        TensorInfo first = candidate.Find("weight") ?? candidate.Find("running_mean")!;
        return new Layer
        {
            Name = candidate.Module,
            Kind = kind,
            NeuronCount = first.Shape[0],
            Tensors = candidate.Tensors,
            Layout = first.Shape.Count == 1 ? "[C]" : $"{first.Shape.Text()} (normalized shape): neuron j is row j of dim 0",
            Evidence = evidence,
            Assumed = assumed,
            Implementation = this,
        };
    }
}
