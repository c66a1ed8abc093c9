namespace NeuronKit.TorchSharp;

/// <summary>
/// One neuron's output for one batch item: a conv channel's activation map ([H, W]), a recurrent unit's value per time
/// step ([T]), a Linear unit's value per position ([T]) or alone ([]), with its mean and max.
/// </summary>
/// <param name="Item">The batch item (0 for an unbatched input).</param>
/// <param name="Shape">The shape of <paramref name="Values"/>: the output's dimensions other than batch and neuron.</param>
/// <param name="Values">The values, row-major, as doubles.</param>
public sealed record NeuronActivation(long Item, IReadOnlyList<long> Shape, double[] Values)
{
    /// <summary>The mean of <see cref="Values"/>.</summary>
    public double Mean { get; } = Values.Length == 0 ? double.NaN : Values.Average();

    /// <summary>The largest of <see cref="Values"/>.</summary>
    public double Max { get; } = Values.Length == 0 ? double.NaN : Values.Max();

    /// <summary>The value <paramref name="by"/> ranks inputs with: <see cref="Max"/> or <see cref="Mean"/>.</summary>
    public double Score(ActivationRank by) => by == ActivationRank.Mean ? Mean : Max;
}
