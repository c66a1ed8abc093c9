namespace NeuronKit.Activations;

/// <summary>What ranks inputs by how much they activate a neuron.</summary>
public enum ActivationScore
{
    /// <summary>The largest value of the neuron's output (a conv's strongest spot).</summary>
    Max,

    /// <summary>The mean of the neuron's output.</summary>
    Mean,
}
