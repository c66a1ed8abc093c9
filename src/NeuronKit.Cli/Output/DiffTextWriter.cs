using System.Globalization;
using NeuronKit.Diff;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron diff</c> for reading, laid out as <c>neuron stats</c> is: per layer a table of neurons and a summary line,
/// then the layers that could not be compared, then the model's summary.
/// </summary>
internal static class DiffTextWriter
{
    public static void Write(TextWriter stdout, ModelDiff diff, DiffOrder order)
    {
        stdout.WriteLine($"{ModelTitle.Of(diff.A)} → {ModelTitle.Of(diff.B)}: " +
            $"{Counted.Of(diff.Layers.Count, "layer")} compared, {Counted.Of(diff.NeuronCount, "neuron")}");
        foreach (var layer in diff.Layers)
        {
            stdout.WriteLine();
            string renamed = layer.A.Name != layer.B.Name ? $" (in B: {PrintableWriter.OneLine(layer.B.Name)}{Converted(layer)})" : layer.BAxes is { } axes ? $" ({axes.Name})" : "";
            stdout.WriteLine($"{PrintableWriter.OneLine(layer.A.Name)}{renamed} ({layer.Kind}, {Counted.Of(layer.Neurons.Count, "neuron")})");
            if (!order.SummaryOnly) Table(order.Apply(layer)).Write(stdout);
            stdout.WriteLine("  " + Summary(layer));
        }
        var notCompared = NotCompared(diff).ToList();
        if (notCompared.Count > 0) stdout.WriteLine();
        foreach (string line in notCompared) stdout.WriteLine(line);
        stdout.WriteLine();
        stdout.WriteLine($"model: {Counted.Of(diff.Changed, "neuron")} of {diff.NeuronCount.ToString("N0", CultureInfo.InvariantCulture)} changed, relative change {Percent(diff.Relative)}; " +
            $"{diff.BecameDead} became dead, {diff.Revived} revived, {Counted.Of(diff.BiasSignChanged, "bias sign change")}; " +
            $"{Counted.Of(diff.BytesRead, "byte")} read");
    }

    /// <summary>The layers not compared, a line each: <c>only in A: fc3 (Linear)</c>, <c>shapes differ: fc1 (…)</c>.</summary>
    public static IEnumerable<string> NotCompared(ModelDiff diff)
    {
        foreach (var layer in diff.OnlyInA) yield return $"only in A: {PrintableWriter.OneLine(layer.Name)} ({layer.Kind})";
        foreach (var layer in diff.OnlyInB) yield return $"only in B: {PrintableWriter.OneLine(layer.Name)} ({layer.Kind})";
        foreach (var m in diff.Mismatched) yield return $"{m.What} differ: {PrintableWriter.OneLine(m.Name)} ({m.Detail})";
    }

    /// <summary>
    /// What was undone of a converter's work on B's layer: <c>, its rows matched through the llama.cpp q/k
    /// permutation</c>, <c>, its values less llama.cpp's +1 on gemma2 norm weights</c>, <c>, over the first 262,144 of
    /// 262,208 embedding rows: …</c>; empty when nothing was.
    /// </summary>
    internal static string Converted(LayerDiff layer) =>
        (layer.BOrder is { } order ? $", its rows matched through the {order.Name}" : "") +
        (layer.BShift is { } shift ? $", its values less {shift.Name}" : "") +
        (layer.Kept is { } kept ? $", over {kept.Name}" : "") +
        (layer.BAxes is { } axes ? $", {axes.Name}" : "");

    private static PlainTable Table(IReadOnlyList<NeuronDiff> neurons)
    {
        var table = new PlainTable().Column("neuron", right: true);
        foreach (string column in (string[])["‖Δ‖", "relative", "cosine", "max |Δ|", "Δ bias"])
            table.Column(column, right: true);
        table.Column("flags");
        // Formatting the numbers is most of the work: rows are formatted on all cores, then added in order.
        var rows = new string[neurons.Count][];
        Parallel.For(0, rows.Length, i =>
        {
            var n = neurons[i];
            rows[i] = [n.Index.ToString(CultureInfo.InvariantCulture), Number(n.L2Delta), Percent(n.Relative), Number(n.Cosine),
                Number(n.MaxAbs), n.BiasDelta is { } b ? Number(b) : "-", string.Join(", ", DiffFlagNames.Of(n.Flags))];
        });
        foreach (var row in rows) table.Row(row);
        return table;
    }

    private static string Summary(LayerDiff layer) =>
        $"{layer.Changed} of {layer.Neurons.Count} changed; ‖ΔW‖ {Number(layer.L2Delta)} (relative {Percent(layer.Relative)}), " +
        $"max |Δ| {Number(layer.MaxAbs)}, mean cosine {Number(layer.MeanCosine)}; " +
        $"{layer.BecameDead} became dead, {layer.Revived} revived, {Counted.Of(layer.BiasSignChanged, "bias sign change")}" +
        (layer.MostChanged.Count == 0 ? "" : $"; most changed: {string.Join(", ", layer.MostChanged)}");

    /// <summary>A number as <c>neuron stats</c> prints it; a revived neuron's infinite relative change as <c>inf</c>.</summary>
    internal static string Number(double value) => double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : StatsTextWriter.Number(value);

    /// <summary>
    /// A fraction as a percentage, as <c>neuron stats</c> prints it; infinity as <c>inf</c>; a change too small for three
    /// decimals (a conversion's rounding) as <c>&lt;0.001%</c>, never as an unchanged neuron's <c>0%</c>.
    /// </summary>
    internal static string Percent(double fraction) =>
        double.IsInfinity(fraction) ? Number(fraction) : fraction is > 0 and < 0.000005 ? "<0.001%" : StatsTextWriter.Percent(fraction);
}
