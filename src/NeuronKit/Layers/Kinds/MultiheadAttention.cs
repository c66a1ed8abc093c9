using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// The in-projection of torch.nn.MultiheadAttention: q, k and v rows packed in in_proj_weight [3E, E] (or, when kdim or
/// vdim differ, in q_proj_weight, k_proj_weight, v_proj_weight), so unit j is rows j, E + j and 2E + j. Its out_proj is a
/// module of its own and so a Linear layer. https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html
/// </summary>
internal sealed class MultiheadAttention : ILayerKind
{
    private static readonly string[] Roles = ["in_proj_weight", "in_proj_bias", "q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v"];

    // Per projection in storage order: its gate label, its separate weight, and its extra bias (add_bias_kv), each with its role.
    private static readonly (Gate Gate, string Weight, PartRole WeightRole, string? ExtraBias, PartRole? ExtraRole)[] Projections =
    [
        (Gate.Q, "q_proj_weight", PartRole.QProjWeight, null, null),
        (Gate.K, "k_proj_weight", PartRole.KProjWeight, "bias_k", PartRole.BiasK),
        (Gate.V, "v_proj_weight", PartRole.VProjWeight, "bias_v", PartRole.BiasV),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["MultiheadAttention"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly(Roles) || (candidate.Find("in_proj_weight") is null && candidate.Find("q_proj_weight") is null)) return null;
        var fit = Fit(candidate);
        return fit.Reason is null
            ? [Layer(candidate, fit.Embed, $"tensor name {(fit.Packed ? "in_proj_weight" : "q_proj_weight")} is torch.nn.MultiheadAttention's")]
            : null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, Roles);
        var fit = Fit(candidate);
        if (fit.Reason is not null) throw new RequestException($"{request.Name} cannot read '{candidate.Module}': {fit.Reason}");
        return [Layer(candidate, fit.Embed, request.Evidence)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        long embed = layer.NeuronCount;
        var packed = layer.Role("in_proj_weight");
        var bias = layer.Role("in_proj_bias");
        List<NeuronPart> parts = [];
        for (int p = 0; p < Projections.Length; p++)
        {
            var (gate, separate, separateRole, extra, extraRole) = Projections[p];
            long row = p * embed + neuron;
            string note = $"in_proj packs q, k, v in blocks of E = {embed} rows: row {p}·{embed} + {neuron} = {row} is unit {neuron}'s {gate} projection";
            parts.Add(packed is not null
                ? Slices.Row(packed, row, PartRole.InProjWeight, gate, note)
                : Slices.Row(layer.Role(separate)!, neuron, separateRole, gate));
            if (bias is not null) parts.Add(Slices.Row(bias, row, PartRole.InProjBias, gate, note));
            if (extra is not null && layer.Role(extra) is { } extraBias)
                parts.Add(new NeuronPart(extraBias.Tensor, extraRole!, new TensorSlice(SliceItem.At(0), SliceItem.At(0), SliceItem.At(neuron)), gate));
        }
        return parts;
    }

    // E and whether q, k, v are packed, or why the shapes are not an attention in-projection's.
    private static (long Embed, bool Packed, string? Reason) Fit(LayerCandidate candidate)
    {
        long embed;
        var inProj = candidate.Find("in_proj_weight");
        bool packed = inProj is not null;
        if (inProj is not null)
        {
            if (inProj.Shape.Count != 2 || inProj.Shape[0] % 3 != 0 || inProj.Shape[0] == 0)
                return (0, true, $"{inProj.Name} is {inProj.Shape.Text()}, not [3E, E]");
            embed = inProj.Shape[0] / 3;
            if (Projections.Select(p => candidate.Find(p.Weight)).OfType<TensorInfo>().FirstOrDefault() is { } both)
                return (0, true, $"it has both in_proj_weight and {both.Name}");
        }
        else
        {
            var weights = Projections.Select(p => candidate.Find(p.Weight)).ToList();
            if (weights.Any(w => w is not { Shape.Count: 2 }))
                return (0, false, "it needs in_proj_weight [3E, E], or all of q_proj_weight, k_proj_weight and v_proj_weight [E, dim]");
            embed = weights[0]!.Shape[0];
            if (weights.FirstOrDefault(w => w!.Shape[0] != embed) is { } odd)
                return (0, false, $"{odd.Name} has {odd.Shape[0]} rows, but q_proj_weight has E = {embed}");
        }
        if (candidate.Find("in_proj_bias") is { } bias && (bias.Shape.Count != 1 || bias.Shape[0] != 3 * embed))
            return (0, packed, $"{bias.Name} is {bias.Shape.Text()}, not [3E] with E = {embed}");
        foreach (string role in (string[])["bias_k", "bias_v"])
            if (candidate.Find(role) is { } extra && !extra.Shape.SequenceEqual([1L, 1L, embed]))
                return (0, packed, $"{extra.Name} is {extra.Shape.Text()}, not [1, 1, E] with E = {embed}");
        return (embed, packed, null);
    }

    private Layer Layer(LayerCandidate candidate, long embed, string source)
    {
        bool packed = candidate.Find("in_proj_weight") is not null;
        return new Layer
        {
            Name = candidate.Module,
            Kind = "MultiheadAttention",
            NeuronCount = embed,
            Tensors = candidate.Tensors,
            Layout = packed ? "in_proj_weight [3E, E], rows q, k, v" : "q_proj_weight, k_proj_weight, v_proj_weight [E, dim]",
            Evidence =
            [
                source,
                packed
                    ? $"in_proj_weight has {3 * embed} rows = 3 × E with E = {embed}: q, k, v projections packed"
                    : $"q, k, v projections stored separately (kdim or vdim differ from E = {embed})",
            ],
            Implementation = this,
        };
    }
}
