using System.Globalization;
using System.Text;
using NeuronKit.Stats;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron stats --csv</c>: one row per neuron, numbers round-trip exact (shortest form), NaN and infinities as
/// <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>, an empty cell for no value; gate biases as <c>input=…;forget=…</c>.
/// </summary>
internal static class StatsCsvWriter
{
    public const string Header = "layer,kind,neuron,weights,l1,l2,mean,std,min,max,zero_fraction,bias,gate_biases,dead,duplicate_of,outlier,outgoing_l2,unused";

    /// <summary>The columns <c>--similar</c> adds after <see cref="Header"/>'s.</summary>
    public const string NearestColumns = ",nearest,nearest_cosine,similar";

    /// <summary>The header and rows of <paramref name="stats"/>; with each neuron's nearest neighbour when <paramref name="nearest"/>.</summary>
    public static void Write(TextWriter stdout, ModelStats stats, StatsOrder order, bool nearest = false)
    {
        stdout.Write(Header + (nearest ? NearestColumns : "") + "\n");
        Rows(stdout, stats, order, "", nearest);
    }

    /// <summary>The rows of <paramref name="stats"/>, each starting with <paramref name="prefix"/> (cells of its own, ending in a comma; <c>neuron track</c>'s checkpoint and step).</summary>
    public static void Rows(TextWriter stdout, ModelStats stats, StatsOrder order, string prefix, bool nearest = false) =>
        CsvChunks.Write(stdout, stats.Layers.Select(layer => (layer, order.Apply(layer))), 200,
            (text, layer, rows) => Format(text, prefix, layer, rows, nearest));

    private static void Format(StringBuilder text, string rowPrefix, LayerStats layer, ArraySegment<NeuronStats> rows, bool nearest)
    {
        string prefix = $"{rowPrefix}{Cell(layer.Layer.Name)},{Cell(layer.Layer.Kind)},";
        foreach (var n in rows)
        {
            text.Append(prefix).Append(n.Index).Append(',').Append(n.Weights);
            foreach (double v in (ReadOnlySpan<double>)[n.L1, n.L2, n.Mean, n.Std, n.Min, n.Max, n.ZeroFraction])
                text.Append(',').Append(CultureInfo.InvariantCulture, $"{v:R}");
            text.Append(',');
            if (n.Bias is { } b) text.Append(CultureInfo.InvariantCulture, $"{b:R}");
            text.Append(',').Append(StatsFlags.Gates(n, Number, ""))
                .Append(',').Append(n.Dead ? "true" : "false")
                .Append(',');
            if (n.DuplicateOf is { } of) text.Append(of);
            text.Append(',').Append(n.Outlier ? "true" : "false").Append(',');
            if (n.OutgoingL2 is { } outgoing) text.Append(CultureInfo.InvariantCulture, $"{outgoing:R}");
            text.Append(',').Append(n.Unused ? "true" : "false");
            if (nearest)
            {
                text.Append(',');
                if (n.Nearest is { } j) text.Append(j);
                text.Append(',');
                if (n.NearestCosine is { } cosine) text.Append(CultureInfo.InvariantCulture, $"{cosine:R}");
                text.Append(',').Append(n.Similar ? "true" : "false");
            }
            text.Append('\n');
        }
    }

    // Invariant culture writes NaN, Infinity and -Infinity.
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // RFC 4180: a cell holding a comma, quote or newline is quoted, its quotes doubled.
    internal static string Cell(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
