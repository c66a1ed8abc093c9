using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// An embedding table weight [num, dim]: row t is token t's vector, so unit j of the output is column j, its weight from
/// every token. Known by its class or by a bias-free 2-D weight in a module named like an embedding.
/// https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html
/// </summary>
internal sealed class Embedding : ILayerKind, INodeKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["Embedding", "EmbeddingBag", KerasEmbedding];

    private const string KerasEmbedding = "keras.Embedding";

    // Keras' and Flax's names for an embedding table [num, dim] (keras/src/layers/core/embedding.py, flax.linen.Embed).
    private static readonly string[] TableNames = ["embeddings", "embedding"];

    /// <inheritdoc/>
    public IReadOnlyList<string> OpTypes { get; } = ["Gather"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? FromNode(NodeCandidate candidate)
    {
        // ONNX Gather(data, indices) along axis 0 of a constant 2-d table with computed indices: an embedding lookup.
        if (candidate.Constant(0) is not { Shape.Count: 2 } weight || candidate.Node.Int("axis", 0) != 0 || !candidate.IsComputed(1)) return null;
        return [Layer(new LayerCandidate(candidate.Name, [], null), "Embedding", weight,
            [candidate.Evidence, $"it gathers rows of the constant table {weight.Name} {weight.Shape.Text()} by computed indices: Embedding [num, dim]"])
            .Copy(aliases: [.. candidate.Node.Outputs.Where(o => o != "")])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (candidate.Tensors is [{ Tensor.Shape.Count: 2 } table] && TableNames.Contains(table.Role))
            return [Layer(candidate, "Embedding", table.Tensor,
                [$"{table.Role} {table.Tensor.Shape.Text()}: an embedding table as Keras and Flax name it, [num, dim]"])];
        if (!candidate.HasOnly("weight") || candidate.Find("weight") is not { Shape.Count: 2 } weight
            || NameConventions.Find(NameConventions.Embedding, candidate.ModuleName) is not { } convention)
            return null;
        return [Layer(candidate, "Embedding", weight,
            [$"name '{candidate.ModuleName}' is {convention.Source}, and its weight {weight.Shape.Text()} has no bias: Embedding [num, dim]"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        string role = request.Name == KerasEmbedding ? "embeddings" : "weight";
        candidate.RequireOnly(request, role);
        var weight = candidate.Find(role)
            ?? throw new RequestException($"{request.Name} needs a tensor named {role}, and '{candidate.Module}' has none");
        if (weight.Shape.Count != 2)
            throw new RequestException($"{request.Name} needs a 2-d {role} [num, dim], and {weight.Name} is {weight.Shape.Text()}");
        return [Layer(candidate, request.Name == KerasEmbedding ? "Embedding" : request.Name, weight, [request.Evidence])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron) =>
        [Slices.Column(layer.Role("weight")!, neuron, PartRole.Weight,
            note: $"column {neuron}: unit {neuron}'s weight from every token; row {neuron} would be token {neuron}'s embedding vector")];

    private Layer Layer(LayerCandidate candidate, string kind, TensorInfo weight, IReadOnlyList<string> evidence) => new()
    {
        Name = candidate.Module,
        Kind = kind,
        NeuronCount = weight.Shape[1],
        Tensors = [new("weight", weight)],
        Layout = "[num, dim]",
        Evidence = evidence,
        Implementation = this,
    };
}
