using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Views.Reports;

/// <summary>A tensor of a layer, as <c>layers --json</c> lists it.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Role">Its role in the layer (weight, bias, weight_ih, …).</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Dtype">Its dtype as stored.</param>
public sealed record LayerTensorReport(string Name, string Role, IReadOnlyList<long> Shape, string Dtype)
{
    /// <summary>The report of <paramref name="tensor"/>.</summary>
    public static LayerTensorReport Of(LayerTensor tensor) =>
        new(tensor.Tensor.Name, tensor.Role, tensor.Tensor.Shape, tensor.Tensor.StoredAs ?? tensor.Tensor.DType.Name());
}
