using System.Collections.Concurrent;
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

    // As in StatsCsvWriter: rows formatted in chunks a few ahead of the writer, on all cores, and written a chunk at a
    // time (the console writer flushes every write: a write per row was a system call per row); buffers reused.
    private const int ChunkRows = 2048;

    public static void Write(TextWriter stdout, ModelDiff diff, DiffOrder order)
    {
        stdout.Write(Header + "\n");
        var spare = new ConcurrentBag<StringBuilder>();
        var ahead = new FormatAhead<StringBuilder>(text =>
        {
            stdout.Write(text);
            spare.Add(text.Clear());
        });
        foreach (var layer in diff.Layers)
        {
            var rows = order.Apply(layer) as NeuronDiff[] ?? [.. order.Apply(layer)];
            for (int at = 0; at < rows.Length; at += ChunkRows)
            {
                var chunk = new ArraySegment<NeuronDiff>(rows, at, Math.Min(ChunkRows, rows.Length - at));
                var text = spare.TryTake(out var used) ? used : new StringBuilder(ChunkRows * 120);
                ahead.Add(() => Format(text, layer, chunk));
            }
        }
        ahead.Flush();
    }

    private static StringBuilder Format(StringBuilder text, LayerDiff layer, ArraySegment<NeuronDiff> rows)
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
        return text;
    }
}
