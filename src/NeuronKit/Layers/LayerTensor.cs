using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>A tensor of a layer and the role it plays there (<c>weight</c>, <c>bias</c>, <c>weight_ih</c>, <c>running_mean</c>).</summary>
public sealed record LayerTensor(string Role, TensorInfo Tensor);
