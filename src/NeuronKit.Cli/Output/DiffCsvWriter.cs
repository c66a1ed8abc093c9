using System.Globalization;
using System.Text;
using NeuronKit.Diff;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron diff --csv</c>: one row per neuron, numbers round-trip exact, NaN and infinities as <c>NaN</c>,
/// <c>Infinity</c>, <c>-Infinity</c>, an empty cell for no bias; flags separated by <c>;</c>.
/// </summary>
internal static class DiffCsvWriter
{
    public const string Header = "layer,kind,neuron,l2_delta,relative,cosine,max_abs,bias_delta,flags";

    public static void Write(TextWriter stdout, ModelDiff diff, DiffOrder order)
    {
        stdout.Write(Header + "\n");
        CsvChunks.Write(stdout, diff.Layers.Select(layer => (layer, order.Apply(layer))), 120, Format);
    }

    private static void Format(StringBuilder text, LayerDiff layer, ArraySegment<NeuronDiff> rows)
    {
        string prefix = $"{StatsCsvWriter.Cell(layer.A.Name)},{StatsCsvWriter.Cell(layer.Kind)},";
        foreach (var n in rows)
        {
            text.Append(prefix).Append(n.Index);
            foreach (double v in (ReadOnlySpan<double>)[n.L2Delta, n.Relative, n.Cosine, n.MaxAbs])
                text.Append(',').Append(CultureInfo.InvariantCulture, $"{v:R}");
            text.Append(',');
            if (n.BiasDelta is { } b) text.Append(CultureInfo.InvariantCulture, $"{b:R}");
            text.Append(',');
            if (n.Flags != DiffFlags.None) text.AppendJoin(';', DiffFlagNames.Of(n.Flags));
            text.Append('\n');
        }
    }
}
