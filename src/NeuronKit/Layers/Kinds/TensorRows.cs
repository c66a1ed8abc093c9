using NeuronKit.Neurons;

namespace NeuronKit.Layers.Kinds;

/// <summary>The fallback for a tensor no kind claims: neuron j is row j (index j of dimension 0).</summary>
internal sealed class TensorRows : ILayerKind
{
    public static Layer Layer(Formats.Checkpoint checkpoint, Tensors.TensorInfo tensor) => new()
    {
        Name = tensor.Name,
        Kind = "Tensor",
        NeuronCount = tensor.Shape.Count == 0 ? 1 : tensor.Shape[0],
        Tensors = [new LayerTensor("tensor", tensor)],
        Layout = tensor.Shape.Count == 0 ? "scalar" : "rows of dimension 0",
        Evidence = ["no layer kind matches this tensor's name and shape; row j is shown"],
        Assumed = true,
        Implementation = new TensorRows(),
    };

    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var tensor = layer.Tensors[0].Tensor;
        var view = tensor.View();
        return
        [
            new NeuronPart
            {
                Tensor = tensor.Name,
                Role = "tensor",
                Index = tensor.Shape.Count == 0 ? "[()]" : $"[{neuron}]",
                View = tensor.Shape.Count == 0 ? view : view.Select(0, neuron),
            },
        ];
    }
}
