namespace NeuronKit.Neurons;

/// <summary>Which side of a neuron a part is on: its own weights, a per-channel layer on the way out, or a consumer's weights.</summary>
public enum PartDirection
{
    /// <summary>The neuron's own parts: what it responds to (<c>weight[j]</c>, <c>bias[j]</c>).</summary>
    In,

    /// <summary>Channel j of a per-channel layer between the neuron and its consumers (the BatchNorm after a conv).</summary>
    Through,

    /// <summary>A slice of a consumer's weights that multiplies the neuron's output (<c>next.weight[:, j]</c>).</summary>
    Out,
}
