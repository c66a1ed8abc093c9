namespace NeuronKit.Activations;

/// <summary>
/// What one run of the model reads: a tensor for each of its inputs, and the label the results carry
/// (<c>x.npy</c>; <c>a=a.npy b=b.npy</c> for a model of several inputs).
/// </summary>
public sealed record ActivationInput(string Label, IReadOnlyDictionary<string, InputTensor> Tensors);
