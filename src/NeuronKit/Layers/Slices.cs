using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>The two slices most kinds take: row r (index r of dimension 0) and column c (index c of dimension 1).</summary>
internal static class Slices
{
    /// <summary>Row <paramref name="row"/> of <paramref name="tensor"/>, indexed <c>[row]</c>.</summary>
    public static NeuronPart Row(LayerTensor tensor, long row, PartRole role, Gate? gate = null, string? note = null) =>
        new(tensor.Tensor, role, TensorSlice.Row(row), gate, note);

    /// <summary>Column <paramref name="column"/> of <paramref name="tensor"/>, indexed <c>[:, column]</c>.</summary>
    public static NeuronPart Column(LayerTensor tensor, long column, PartRole role, Gate? gate = null, string? note = null) =>
        new(tensor.Tensor, role, TensorSlice.Column(column), gate, note);

    /// <summary>The tensor playing <paramref name="role"/> in <paramref name="layer"/>, or null.</summary>
    public static LayerTensor? Role(this Layer layer, string role) => layer.Tensors.FirstOrDefault(t => t.Role == role);
}
