using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>The effective bias of one gate of a neuron: bias_ih + bias_hh for recurrent layers, the in_proj_bias row for attention.</summary>
/// <param name="Gate">The gate (<c>input</c>, <c>forget</c>, … <c>q</c>, <c>k</c>, <c>v</c>).</param>
/// <param name="Bias">The sum of the gate's bias parts; null where the cell does not add them (<see cref="Layer.WhyBiasesDoNotSum"/>).</param>
public sealed record GateBias(Gate Gate, double? Bias);
