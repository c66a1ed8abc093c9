namespace NeuronKit.TorchSharp;

/// <summary>One of the inputs that activate a neuron most: which input, which of its batch items, and the score.</summary>
/// <param name="Input">The input's position in the enumeration, from 0.</param>
/// <param name="Activation">The neuron's output for that batch item (its <see cref="NeuronActivation.Item"/> says which).</param>
/// <param name="Value">The score the ranking used: the activation's max or mean.</param>
public sealed record TopActivation(int Input, NeuronActivation Activation, double Value);
