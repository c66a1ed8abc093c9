using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>The fallback for a tensor no kind claims: one layer per tensor, named by the tensor, neuron j its row j.</summary>
internal sealed class TensorRows : ILayerKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["Tensor"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) =>
        candidate.All.Select(t => Layer(t.Tensor, ["no layer kind matches this tensor's name and shape; row j is shown"])).ToList();

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        if (candidate.Tensors.Count != 1)
            throw new RequestException($"{request.Name} reads one tensor, and '{candidate.Module}' has " +
                $"{candidate.Tensors.Count}: {string.Join(", ", candidate.Tensors.Select(t => t.Tensor.Name))}");
        return [Layer(candidate.Tensors[0].Tensor, [request.Evidence])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var tensor = layer.Tensors[0];
        return [tensor.Tensor.Shape.Count > 0 ? Slices.Row(tensor, neuron, PartRole.Tensor) : new NeuronPart(tensor.Tensor, PartRole.Tensor, new TensorSlice())];
    }

    private Layer Layer(TensorInfo tensor, IReadOnlyList<string> evidence) => new()
    {
        Name = tensor.Name,
        Kind = "Tensor",
        NeuronCount = tensor.Shape.Count == 0 ? 1 : tensor.Shape[0],
        Tensors = [new LayerTensor("tensor", tensor)],
        Layout = tensor.Shape.Count == 0 ? "scalar" : "rows of dimension 0",
        Evidence = evidence,
        Assumed = true,
        Implementation = this,
    };
}
