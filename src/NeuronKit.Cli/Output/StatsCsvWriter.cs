using System.Globalization;
using System.Text;
using NeuronKit.Stats;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron stats --csv</c>: one row per neuron, numbers round-trip exact (shortest form), NaN and infinities as
/// <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>, an empty cell for no value; gate biases as <c>input=…;forget=…</c>.
/// </summary>
internal static class StatsCsvWriter
{
    public const string Header = "layer,kind,neuron,weights,l1,l2,mean,std,min,max,zero_fraction,bias,gate_biases,dead,duplicate_of,outlier";

    public static void Write(TextWriter stdout, ModelStats stats, StatsOrder order)
    {
        var text = new StringBuilder(1 << 16);
        text.Append(Header).Append('\n');
        foreach (var layer in stats.Layers)
        {
            string prefix = $"{Cell(layer.Layer.Name)},{Cell(layer.Layer.Kind)},";
            foreach (var n in order.Apply(layer))
            {
                text.Append(prefix).Append(n.Index).Append(',').Append(n.Weights);
                foreach (double v in (ReadOnlySpan<double>)[n.L1, n.L2, n.Mean, n.Std, n.Min, n.Max, n.ZeroFraction])
                    text.Append(',').Append(Number(v));
                text.Append(',').Append(n.Bias is { } b ? Number(b) : "")
                    .Append(',').Append(StatsFlags.Gates(n, Number))
                    .Append(',').Append(n.Dead ? "true" : "false")
                    .Append(',').Append(n.DuplicateOf?.ToString(CultureInfo.InvariantCulture) ?? "")
                    .Append(',').Append(n.Outlier ? "true" : "false").Append('\n');
                if (text.Length > 1 << 16)
                {
                    stdout.Write(text);
                    text.Clear();
                }
            }
        }
        stdout.Write(text);
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity"
        : value.ToString("R", CultureInfo.InvariantCulture);

    // RFC 4180: a cell holding a comma, quote or newline is quoted, its quotes doubled.
    private static string Cell(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
