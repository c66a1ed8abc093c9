namespace NeuronKit.Layers;

/// <summary>What a neuron part is to the neuron: what statistics count it as, and what an edit of the neuron touches.</summary>
public enum PartUse
{
    /// <summary>An incoming weight: a row of a weight, a gate's rows, a norm's scale.</summary>
    Weight,
    /// <summary>A bias added to the neuron's pre-activation (a gate's bias for recurrent layers).</summary>
    Bias,
    /// <summary>A per-channel statistic of the data, not a parameter: BatchNorm's running mean and variance.</summary>
    Statistic,
    /// <summary>A parameter of the unit that is neither: attention's bias_k and bias_v, an extra key and value token.</summary>
    Other,
}
