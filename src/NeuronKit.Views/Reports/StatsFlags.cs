using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>A neuron's flags as words: <c>dead</c>, <c>duplicate of 7</c>, <c>similar to 3 (0.998731)</c>, <c>outlier</c>, <c>unused</c>.</summary>
public static class StatsFlags
{
    /// <summary>The flags of <paramref name="n"/>, comma-separated; empty when it has none.</summary>
    public static string Text(NeuronStats n) => string.Join(", ", new[]
    {
        n.Dead ? "dead" : null,
        n.DuplicateOf is { } of ? $"duplicate of {of}" : null,
        // A duplicate is similar too (cosine 1), and says so already.
        n.Similar && !n.Duplicate ? $"similar to {n.Nearest} ({n.NearestCosine!.Value.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)})" : null,
        n.Outlier ? "outlier" : null,
        n.Unused ? "unused" : null,
    }.OfType<string>());

    /// <summary>
    /// The gate biases as <c>input=0.1;forget=-0.2</c>, for CSV and text; a gate whose biases do not add shows
    /// <paramref name="unsummed"/> (<c>new=</c> in CSV).
    /// </summary>
    public static string Gates(NeuronStats n, Func<double, string> format, string unsummed) =>
        n.GateBiases is null ? "" : string.Join(";", n.GateBiases.Select(g => $"{g.Gate}={(g.Bias is { } b ? format(b) : unsummed)}"));
}
