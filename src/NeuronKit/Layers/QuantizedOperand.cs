using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// A layer operand the graph dequantizes: the float32 view of its stored integers, the scale and zero-point tensors it
/// takes (kept with the layer, read by no neuron) and the sentence saying how it is dequantized.
/// </summary>
/// <param name="Tensor">The dequantized view, named as the stored integers' tensor.</param>
/// <param name="Parameters">The scale and zero-point tensors with their roles (<c>scale</c>, <c>zero_point</c>).</param>
/// <param name="Evidence">Which node dequantizes it, with which scale and zero point, per tensor or along which axis.</param>
internal sealed record QuantizedOperand(TensorInfo Tensor, IReadOnlyList<LayerTensor> Parameters, string Evidence);
