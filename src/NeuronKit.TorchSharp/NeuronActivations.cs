using NeuronKit.Layers;

namespace NeuronKit.TorchSharp;

/// <summary>What neuron <see cref="Index"/> of <see cref="Layer"/> output for one input, one entry per batch item.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Index">The neuron, resolved (a negative index counted from the end).</param>
/// <param name="Post">True when the values are taken after the activation module that follows the layer.</param>
/// <param name="Hooked">The module path whose forward hook saw them (the layer's module, or the activation after it).</param>
/// <param name="Items">One entry per batch item, in batch order.</param>
public sealed record NeuronActivations(Layer Layer, long Index, bool Post, string Hooked, IReadOnlyList<NeuronActivation> Items);
