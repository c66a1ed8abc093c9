using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>A layer <c>stats</c> was asked for but did not measure, with the reason (complex weights).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Neurons">How many neurons it has.</param>
/// <param name="Reason">Why it was not measured.</param>
public sealed record SkippedLayerReport(string Name, string Kind, long Neurons, string Reason)
{
    /// <summary>The report of <paramref name="skipped"/>.</summary>
    public static SkippedLayerReport Of(SkippedLayer skipped) =>
        new(skipped.Layer.Name, skipped.Layer.Kind, skipped.Layer.NeuronCount, skipped.Reason);
}
