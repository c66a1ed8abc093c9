namespace NeuronKit.Diff;

/// <summary>
/// How one neuron's incoming weights (its weight parts concatenated, biases apart) and bias changed from file A to
/// file B. Divisions follow IEEE: a neuron whose weights are all zero in A has an infinite (or, unchanged, NaN)
/// <see cref="Relative"/>, and a zero norm on either side makes <see cref="Cosine"/> NaN. A neuron without incoming
/// weights (a Linear(0, n)) has norms 0, a NaN relative change and cosine, and a NaN <see cref="MaxAbs"/> (the largest of nothing).
/// </summary>
public readonly record struct NeuronDiff
{
    /// <summary>The neuron's index in its layer.</summary>
    public long Index { get; init; }

    /// <summary>‖w_b − w_a‖.</summary>
    public double L2Delta { get; init; }

    /// <summary>‖w_a‖, the norm <see cref="Relative"/> divides by.</summary>
    public double L2A { get; init; }

    /// <summary>‖w_b‖.</summary>
    public double L2B { get; init; }

    /// <summary>‖w_b − w_a‖ / ‖w_a‖.</summary>
    public double Relative => L2Delta / L2A;

    /// <summary>w_a·w_b / (‖w_a‖ ‖w_b‖).</summary>
    public double Cosine { get; init; }

    /// <summary>max |w_b − w_a|.</summary>
    public double MaxAbs { get; init; }

    /// <summary>b_b − b_a, or null where the neuron has no bias or one per gate (an LSTM's).</summary>
    public double? BiasDelta { get; init; }

    /// <summary>Became dead, revived, bias sign changed.</summary>
    public DiffFlags Flags { get; init; }

    /// <summary>
    /// True when an incoming weight differs between the files, a NaN among them included: a NaN at the same place in
    /// both (or the same infinity) is no change, as <c>np.array_equal(w_a, w_b, equal_nan=True)</c> says.
    /// </summary>
    public bool WeightsChanged { get; init; }

    /// <summary>
    /// True when the bias <see cref="BiasDelta"/> compares differs, or where the neuron has one per gate, any of them, as
    /// <see cref="WeightsChanged"/> says of the weights.
    /// </summary>
    public bool BiasChanged { get; init; }

    /// <summary>Its weights or bias differ at all.</summary>
    public bool Changed => WeightsChanged || BiasChanged;
}
