namespace NeuronKit.Activations;

/// <summary>
/// What one neuron output for one input (one batch item): its values (an activation map [H, W] for a convolution, one
/// value for a Linear, one per position or time step for a sequence), row-major, with their mean and max. <see cref="Neuron"/>
/// is the index resolved (a negative one counted from the end).
/// </summary>
public sealed record NeuronActivation(string Input, long Neuron, IReadOnlyList<long> Shape, double[] Values)
{
    /// <summary>The mean of the values.</summary>
    public double Mean => Values.Average();

    /// <summary>The largest value.</summary>
    public double Max => Values.Max();

    /// <summary>The score <paramref name="by"/> ranks inputs with.</summary>
    public double Score(ActivationScore by) => by == ActivationScore.Mean ? Mean : Max;
}
