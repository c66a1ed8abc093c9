namespace NeuronKit.TorchSharp;

/// <summary>What ranks inputs in a top-k: a neuron's largest value on the input, or its mean.</summary>
public enum ActivationRank
{
    /// <summary>The largest value (of an activation map, of the time steps).</summary>
    Max,

    /// <summary>The mean value.</summary>
    Mean,
}
