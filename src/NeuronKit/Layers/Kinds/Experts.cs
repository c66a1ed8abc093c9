using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// Linear weights stacked in one tensor, each read as a Linear of its own: the experts of a mixture-of-experts
/// feed-forward, or one projection per attention head. Four conventions store them so:
/// <list type="bullet">
/// <item>llama.cpp's GGUF <c>blk.N.ffn_up_exps</c> (and gate, down), [experts, out, in] once its dims are read back in
/// PyTorch's order (convert_hf_to_gguf.py stacks the Hugging Face experts' Linear weights along a new first dim); each
/// expert is read as sub-layer <c>blk.N.ffn_up_exps.E</c>.</item>
/// <item>Hugging Face's fused experts module <c>….mlp.experts</c> (gpt-oss, Llama 4, transformers 5's MoE models):
/// parameters <c>gate_up_proj</c> and <c>down_proj</c>, 3-D, with optional <c>gate_up_proj_bias</c> and
/// <c>down_proj_bias</c> [experts, out]. Models differ in the order of the last two dims: gpt-oss and Llama 4 keep
/// [experts, in, out] (x @ W), transformers 5's Mixtral and Qwen [experts, out, in]; the pair settles it, since only one
/// order makes gate_up's outputs twice down's inputs and down's outputs gate_up's inputs. Each expert is read as
/// <c>….experts.gate_up_proj.E</c> and <c>….experts.down_proj.E</c>; gate_up's neurons are the gate's and the up
/// projection's rows together, in the model's own order.</item>
/// <item>MLX's <c>….switch_mlp.gate_proj</c> (and up, down; SwitchMLP's fc1, fc2), [experts, out, in], as mlx-lm stacks
/// a mixture's experts; each expert is read as sub-layer <c>….switch_mlp.gate_proj.E</c>.</item>
/// <item>llama.cpp's GGUF <c>blk.N.attn_k_b</c> and <c>attn_v_b</c> of DeepSeek's multi-head latent attention (deepseek2:
/// DeepSeek-V2, V3, R1, Kimi K2), [heads, out, in]: its converter splits <c>kv_b_proj</c> per head into the key part,
/// transposed (latent rank out, key width in), and the value part (value width out, latent rank in), the forms
/// llama.cpp multiplies with; each head is read as sub-layer <c>blk.N.attn_k_b.H</c>.</item>
/// </list>
/// Each expert (or head) is a Linear of its own: its neuron j is output j of expert (or head) E.
/// </summary>
internal sealed class Experts : ILayerKind
{
    /// <summary>The layout of one expert of a stacked tensor whose experts are (out, in).</summary>
    public const string Layout = "[experts, out, in]: this expert's (out, in)";

    /// <summary>The layout of one expert of a stacked tensor whose experts are (in, out).</summary>
    public const string InOutLayout = "[experts, in, out]: this expert's (in, out)";

    /// <summary>The layout of one head of a tensor that stacks a projection per attention head.</summary>
    public const string HeadLayout = "[heads, out, in]: this head's (out, in)";

    private static readonly string[] FusedRoles = ["gate_up_proj", "down_proj", "gate_up_proj_bias", "down_proj_bias"];

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) => MatchStacked(candidate) ?? MatchFused(candidate);

    private IReadOnlyList<Layer>? MatchStacked(LayerCandidate candidate)
    {
        // Every expert must have rows and columns: an empty one would let a file declare any number of experts for free.
        if (!candidate.HasOnly("weight", "bias") || candidate.Find("weight") is not { Shape: [> 0, > 0, > 0] } weight) return null;
        if (NameConventions.Find(NameConventions.HeadProjections, candidate.ModuleName) is { } heads)
            return candidate.Find("bias") is null ? PerExpert(candidate.Module, weight, null, HeadLayout,
                $"name '{candidate.ModuleName}' is {heads.Source}: weight {weight.Shape.Text()} is {weight.Shape[0]} heads of a Linear (out, in) each")
                : null;
        if ((NameConventions.Find(NameConventions.Experts, candidate.ModuleName)
                ?? NameConventions.Find(NameConventions.SwitchExperts, LastTwo(candidate.Module))) is not { } convention) return null;
        // A bias (gpt-oss's) is one row per expert, [experts, out].
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([weight.Shape[0], weight.Shape[1]])) return null;
        string evidence = $"name '{candidate.ModuleName}' is {convention.Source}: weight {weight.Shape.Text()} is [experts, out, in], " +
            $"{weight.Shape[0]} experts of a Linear (out, in) each" + (bias is null ? "" : $", bias {bias.Shape.Text()} one row per expert");
        return PerExpert(candidate.Module, weight, bias, Layout, evidence);
    }

    private IReadOnlyList<Layer>? MatchFused(LayerCandidate candidate)
    {
        if (!candidate.HasOnly(FusedRoles) || candidate.Find("gate_up_proj") is not { Shape: [> 0, > 0, > 0] } gateUp
            || candidate.Find("down_proj") is not { Shape: [> 0, > 0, > 0] } down || down.Shape[0] != gateUp.Shape[0]
            || NameConventions.Find(NameConventions.FusedExperts, candidate.ModuleName) is not { } convention)
            return null;
        bool outIn = gateUp.Shape[1] == 2 * down.Shape[2] && gateUp.Shape[2] == down.Shape[1];
        bool inOut = gateUp.Shape[2] == 2 * down.Shape[1] && gateUp.Shape[1] == down.Shape[2];
        if (outIn == inOut) return null;   // neither order fits (both cannot)
        var (gateUpBias, downBias) = (candidate.Find("gate_up_proj_bias"), candidate.Find("down_proj_bias"));
        long experts = gateUp.Shape[0], outputs = gateUp.Shape[outIn ? 1 : 2], hidden = down.Shape[outIn ? 1 : 2];
        if (gateUpBias is not null && !gateUpBias.Shape.SequenceEqual([experts, outputs])) return null;
        if (downBias is not null && !downBias.Shape.SequenceEqual([experts, hidden])) return null;
        string order = outIn ? "[experts, out, in]" : "[experts, in, out]";
        string evidence = $"name '{candidate.ModuleName}' is {convention.Source}: gate_up_proj {gateUp.Shape.Text()} and down_proj " +
            $"{down.Shape.Text()} fit only as {order} ({experts} experts, {hidden} wide, gate and up {outputs / 2} each)";
        string layout = outIn ? Layout : InOutLayout;
        return [.. PerExpert($"{candidate.Module}.gate_up_proj", gateUp, gateUpBias, layout, evidence),
            .. PerExpert($"{candidate.Module}.down_proj", down, downBias, layout, evidence)];
    }

    // "switch_mlp.gate_proj" of "model.layers.0.mlp.switch_mlp.gate_proj".
    private static string LastTwo(string module)
    {
        int last = module.LastIndexOf('.');
        return last <= 0 ? module : module[(module.LastIndexOf('.', last - 1) + 1)..];
    }

    /// <summary>What one of a stack laid out as <paramref name="layout"/> is: "head" for a per-head projection, else "expert".</summary>
    public static string Noun(string layout) => layout == HeadLayout ? "head" : "expert";

    // True when each expert's neurons are rows of its matrix, (out, in).
    private static bool Rows(Layer layer) => layer.Layout != InOutLayout;

    private List<Layer> PerExpert(string module, TensorInfo weight, TensorInfo? bias, string layout, string evidence) =>
        [.. Enumerable.Range(0, checked((int)weight.Shape[0])).Select(e => new Layer
        {
            Name = $"{module}.{e}",
            Kind = "Linear",
            NeuronCount = weight.Shape[layout == InOutLayout ? 2 : 1],
            Tensors = bias is null ? [new("weight", weight)] : [new("weight", weight), new("bias", bias)],
            Layout = layout,
            Evidence = [evidence, $"{Noun(layout)} {e}: index {e} of dim 0; neuron j is {(layout == InOutLayout ? "column" : "row")} j of it"],
            Module = module,
            StackIndex = e,
            Implementation = this,
        })];

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request) =>
        Match(candidate) ?? throw new RequestException($"{request.Name} needs llama.cpp's stacked experts weight [experts, out, in] " +
            "(or its per-head attn_k_b, attn_v_b [heads, out, in]) or Hugging Face's fused experts gate_up_proj and down_proj");

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var weight = layer.Role("weight")!.Tensor;
        bool rows = Rows(layer);
        var at = rows ? new TensorSlice(SliceItem.At(layer.StackIndex), SliceItem.At(neuron))
            : new TensorSlice(SliceItem.At(layer.StackIndex), SliceItem.All, SliceItem.At(neuron));
        var part = new NeuronPart(weight, PartRole.Weight, at,
            note: $"{Noun(layer.Layout)} {layer.StackIndex} of {weight.Shape[0]}: {(rows ? "row" : "column")} {neuron} of weight[{layer.StackIndex}]");
        return layer.Role("bias") is { } bias
            ? [part, new NeuronPart(bias.Tensor, PartRole.Bias, new TensorSlice(SliceItem.At(layer.StackIndex), SliceItem.At(neuron)))]
            : [part];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[Rows(layer) ? 2 : 1];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        var inputs = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        var at = Rows(layer) ? new TensorSlice(SliceItem.At(layer.StackIndex), SliceItem.All, inputs)
            : new TensorSlice(SliceItem.At(layer.StackIndex), inputs, SliceItem.All);
        return [new NeuronPart(layer.Role("weight")!.Tensor, PartRole.Weight, at)];
    }
}
