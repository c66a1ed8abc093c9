namespace NeuronKit.Stats;

/// <summary>How <see cref="ModelStats.Compute(Model, StatsOptions?)"/> runs.</summary>
public sealed record StatsOptions
{
    /// <summary>The default of <see cref="OutlierK"/>: Iglewicz and Hoaglin's cut-off for the modified z-score.</summary>
    public const double DefaultOutlierK = 3.5;

    /// <summary>A neuron is an outlier when |L2 − median| exceeds this many robust deviations (1.4826·MAD).</summary>
    public double OutlierK { get; init; } = DefaultOutlierK;

    /// <summary>
    /// Also measure each neuron's outgoing weights (<see cref="NeuronStats.OutgoingL2"/>, <see cref="NeuronStats.Unused"/>) where
    /// the layer graph knows its consumers: one more read of every consumer's weights, so it is asked for.
    /// </summary>
    public bool Outgoing { get; init; }

    /// <summary>
    /// Also find each neuron's nearest other neuron by the cosine similarity of their incoming weights
    /// (<see cref="NeuronStats.Nearest"/>), flagging it <see cref="NeuronStats.Similar"/> at this cosine or above; null
    /// leaves them out. Every pair of a layer's neurons is compared (N²/2 dot products), so it is asked for.
    /// </summary>
    public double? Similar { get; init; }

    /// <summary>Worker threads; 0 or less means one per core.</summary>
    public int Parallelism { get; init; }

    /// <summary>Called from worker threads with the bytes each finished block of neurons read; for progress bars.</summary>
    public Action<long>? Progress { get; init; }
}
