namespace NeuronKit.Stats;

/// <summary>
/// Statistics of one neuron's incoming weights (its weight parts, concatenated), its bias, and its flags.
/// A neuron with no incoming weights (a BatchNorm without affine, a Linear(0, n)) has <see cref="Weights"/> 0, norms 0
/// (of the empty vector) and NaN for the other statistics (a mean or a min of nothing).
/// </summary>
public readonly record struct NeuronStats
{
    /// <summary>The neuron's index in its layer.</summary>
    public long Index { get; init; }

    /// <summary>How many incoming weights the neuron has.</summary>
    public long Weights { get; init; }

    /// <summary>The sum of the weights' magnitudes.</summary>
    public double L1 { get; init; }

    /// <summary>The Euclidean norm of the weights.</summary>
    public double L2 { get; init; }

    /// <summary>The mean weight.</summary>
    public double Mean { get; init; }

    /// <summary>The population standard deviation of the weights (numpy's <c>std</c>, <c>torch.std(unbiased=False)</c>).</summary>
    public double Std { get; init; }

    /// <summary>The smallest weight (NaN when any weight is NaN, as <c>torch.min</c> says).</summary>
    public double Min { get; init; }

    /// <summary>The largest weight (NaN when any weight is NaN).</summary>
    public double Max { get; init; }

    /// <summary>How many weights are exactly zero (-0.0 counts).</summary>
    public long Zeros { get; init; }

    /// <summary>The fraction of weights that are exactly zero.</summary>
    public double ZeroFraction => Weights == 0 ? double.NaN : (double)Zeros / Weights;

    /// <summary>The bias for a neuron with one (RNN: its effective bias, bias_ih + bias_hh); null when it has none or one per gate.</summary>
    public double? Bias { get; init; }

    /// <summary>The effective bias of each gate for gated layers with biases (LSTM, GRU, attention q/k/v); otherwise null.</summary>
    public IReadOnlyList<GateBias>? GateBiases { get; init; }

    /// <summary>True when every incoming weight is zero: the neuron's output ignores its input.</summary>
    public bool Dead { get; init; }

    /// <summary>For a neuron whose weights equal another's of its layer, the lowest other such index; else null. Dead neurons are not duplicates.</summary>
    public long? DuplicateOf { get; init; }

    /// <summary>True when <see cref="DuplicateOf"/> is set.</summary>
    public bool Duplicate => DuplicateOf is not null;

    /// <summary>True when the L2 norm lies more than k robust deviations from the layer's median norm, or is infinite or NaN.</summary>
    public bool Outlier { get; init; }

    /// <summary>
    /// The L2 norm of the neuron's outgoing weights (every consumer slice that multiplies its output, <see cref="Graph.LayerGraph"/>),
    /// or null where the graph knows no consumer of its layer or <see cref="StatsOptions.Outgoing"/> was not asked for.
    /// </summary>
    public double? OutgoingL2 { get; init; }

    /// <summary>True when every outgoing weight is zero: the neuron cannot affect the output, whatever it computes.</summary>
    public bool Unused { get; init; }

    /// <summary>
    /// The other neuron of the layer whose incoming weights have the largest cosine similarity with this one's (the
    /// lowest index on a tie), when <see cref="StatsOptions.Similar"/> asked for it; null otherwise, and for a neuron
    /// without a direction (dead, a NaN or an infinity among its weights, a single weight) or alone in its layer.
    /// </summary>
    public long? Nearest { get; init; }

    /// <summary>The cosine similarity with <see cref="Nearest"/>, computed in double (1 for equal weights, never past ±1); null where it is.</summary>
    public double? NearestCosine { get; init; }

    /// <summary>True when <see cref="NearestCosine"/> reaches <see cref="StatsOptions.Similar"/>: a near-duplicate.</summary>
    public bool Similar { get; init; }
}
