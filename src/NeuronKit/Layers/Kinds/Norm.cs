using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// BatchNorm, LayerNorm, GroupNorm, InstanceNorm, RMSNorm: per-channel weight, bias and (when tracked) running statistics,
/// so neuron j is entry j of each. Running statistics mark a BatchNorm; without the class the others look alike.
/// </summary>
internal sealed class Norm : ILayerKind
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

    private static readonly string[] PartRoles = ["weight", "bias", "running_mean", "running_var"];

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [.. Classes.Select(c => c.Name)];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly(Tracked)) return null;
        var first = candidate.Find("weight") ?? candidate.Find("running_mean");
        if (first is null || first.Shape.Count == 0 || !PartRoles.All(r => candidate.Find(r) is not { } t || t.Shape.SequenceEqual(first.Shape)))
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
        string tensors = candidate.Find("bias") is null ? $"weight {first.Shape.Text()}" : $"weight and bias {first.Shape.Text()}";
        return [Layer(candidate, "LayerNorm", true,
            [$"{tensors} with no running statistics: a LayerNorm-family norm (LayerNorm, GroupNorm, InstanceNorm and RMSNorm " +
             "store the same); LayerNorm assumed"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        string[] roles = Classes.First(c => c.Name == request.Name).Roles;
        candidate.RequireOnly(request, roles);
        var first = candidate.Find("weight") ?? candidate.Find("running_mean")
            ?? throw new RequestException($"{request.Name} needs a weight{(roles == Tracked ? " or running_mean" : "")}, " +
                $"and '{candidate.Module}' has neither");
        bool severalDims = request.Name == "LayerNorm";
        if (first.Shape.Count == 0 || (first.Shape.Count > 1 && !severalDims))
            throw new RequestException($"{request.Name} needs a 1-d {LayerCandidate.RoleOf(first.Name)} [C], and {first.Name} is {first.Shape.Text()}");
        foreach (string role in PartRoles)
            if (candidate.Find(role) is { } tensor && !tensor.Shape.SequenceEqual(first.Shape))
                throw new RequestException($"{tensor.Name} is {tensor.Shape.Text()}, but {first.Name} is {first.Shape.Text()}");
        return [Layer(candidate, request.Name, false, [request.Evidence])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron) =>
        [.. PartRoles.Select(layer.Role).OfType<LayerTensor>().Select(t => Slices.Row(t, neuron))];

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
