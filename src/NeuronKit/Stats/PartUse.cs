namespace NeuronKit.Stats;

/// <summary>What a neuron part contributes to its statistics.</summary>
public enum PartUse
{
    /// <summary>An incoming weight: counted in the norms, mean, std, min, max and zeros.</summary>
    Weight,
    /// <summary>A bias: reported as the neuron's bias (summed per gate, as bias_ih + bias_hh is the effective bias).</summary>
    Bias,
    /// <summary>Neither: running statistics, attention's bias_k/bias_v tokens.</summary>
    Ignored,
}
