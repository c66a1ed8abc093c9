using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// llama.cpp's stacked experts of a mixture-of-experts feed-forward: GGUF's <c>blk.N.ffn_up_exps</c> (and gate, down)
/// keeps every expert's weight in one tensor, [experts, out, in] once its dims are read back in PyTorch's order
/// (convert_hf_to_gguf.py stacks the Hugging Face experts' Linear weights along a new first dim). Each expert is a
/// Linear of its own, read as sub-layer <c>blk.N.ffn_up_exps.E</c>: its neuron j is row j of expert E, weight[E, j, :].
/// </summary>
internal sealed class Experts : ILayerKind
{
    /// <summary>The layout of one expert of a stacked tensor.</summary>
    public const string Layout = "[experts, out, in]: this expert's (out, in)";

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        // Every expert must have rows and columns: an empty one would let a file declare any number of experts for free.
        if (!candidate.HasOnly("weight", "bias") || candidate.Find("weight") is not { Shape: [> 0, > 0, > 0] } weight
            || NameConventions.Find(NameConventions.Experts, candidate.ModuleName) is not { } convention)
            return null;
        // A bias (gpt-oss's) is one row per expert, [experts, out].
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([weight.Shape[0], weight.Shape[1]])) return null;
        string evidence = $"name '{candidate.ModuleName}' is {convention.Source}: weight {weight.Shape.Text()} is [experts, out, in], " +
            $"{weight.Shape[0]} experts of a Linear (out, in) each" + (bias is null ? "" : $", bias {bias.Shape.Text()} one row per expert");
        return [.. Enumerable.Range(0, checked((int)weight.Shape[0])).Select(e => new Layer
        {
            Name = $"{candidate.Module}.{e}",
            Kind = "Linear",
            NeuronCount = weight.Shape[1],
            Tensors = bias is null ? [new("weight", weight)] : [new("weight", weight), new("bias", bias)],
            Layout = Layout,
            Evidence = [evidence, $"expert {e}: index {e} of dim 0; neuron j is row j of it"],
            Module = candidate.Module,
            StackIndex = e,
            Implementation = this,
        })];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request) =>
        Match(candidate) ?? throw new RequestException($"{request.Name} needs llama.cpp's stacked experts weight [experts, out, in]");

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var at = new TensorSlice(SliceItem.At(layer.StackIndex), SliceItem.At(neuron));
        var weight = new NeuronPart(layer.Role("weight")!.Tensor, PartRole.Weight, at,
            note: $"expert {layer.StackIndex} of {layer.Role("weight")!.Tensor.Shape[0]}: row {neuron} of weight[{layer.StackIndex}]");
        return layer.Role("bias") is { } bias ? [weight, new NeuronPart(bias.Tensor, PartRole.Bias, at)] : [weight];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[2];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        var inputs = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        return [new NeuronPart(layer.Role("weight")!.Tensor, PartRole.Weight, new TensorSlice(SliceItem.At(layer.StackIndex), SliceItem.All, inputs))];
    }
}
