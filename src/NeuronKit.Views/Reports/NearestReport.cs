using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>
/// A neuron's nearest neighbour in <c>stats --similar --json</c>: the other neuron of its layer whose incoming weights
/// have the largest cosine similarity with its own, and whether that reaches the threshold asked for.
/// </summary>
/// <param name="Neuron">The nearest neuron's index, or null for a neuron without a direction (dead, not finite) or alone.</param>
/// <param name="Cosine">Their cosine similarity, or null with it.</param>
/// <param name="Similar">True when the cosine reaches the threshold.</param>
public sealed record NearestReport(long? Neuron, double? Cosine, bool Similar)
{
    /// <summary>The nearest neighbour of <paramref name="n"/>, or null when none was asked for (<paramref name="asked"/> false).</summary>
    public static NearestReport? Of(NeuronStats n, bool asked) => asked ? new(n.Nearest, n.NearestCosine, n.Similar) : null;
}
