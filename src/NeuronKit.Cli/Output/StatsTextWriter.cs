using System.Globalization;
using NeuronKit.Stats;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron stats</c> for reading: per layer a table of neurons and a summary line, then the model's summary. Plain
/// text (a <see cref="PlainTable"/>, not Spectre's), so that a model of a hundred thousand neurons prints in a blink.
/// </summary>
internal static class StatsTextWriter
{
    public static void Write(TextWriter stdout, ModelStats stats, StatsOrder order)
    {
        stdout.WriteLine($"{ModelTitle.WithFormat(stats.Model)}: {Plural(stats.Layers.Count, "layer")}, " +
            $"{Plural(stats.NeuronCount, "neuron")}, {Plural(stats.Weights, "weight")}");
        foreach (var layer in stats.Layers)
        {
            stdout.WriteLine();
            if (layer.Layer.WhyNoNeurons is { } why)
            {
                stdout.WriteLine($"{PrintableWriter.OneLine(layer.Layer.Name)} ({layer.Layer.Kind}) has no neurons: {PrintableWriter.OneLine(why)}");
                continue;
            }
            stdout.WriteLine($"{PrintableWriter.OneLine(layer.Layer.Name)} ({layer.Layer.Kind}, {Plural(layer.Neurons.Count, "neuron")}, " +
                $"{Plural(layer.Neurons.Count == 0 ? 0 : layer.Neurons[0].Weights, "weight")} each)");
            if (!order.SummaryOnly) Table(layer, order).Write(stdout);
            stdout.WriteLine("  " + Summary(layer));
        }
        foreach (var skipped in stats.Skipped)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{PrintableWriter.OneLine(skipped.Layer.Name)} ({skipped.Layer.Kind}, {Plural(skipped.Layer.NeuronCount, "neuron")}) not measured: {PrintableWriter.OneLine(skipped.Reason)}");
        }
        stdout.WriteLine();
        string similar = stats.Layers.Any(l => l.SimilarCosine is not null) ? $"{Plural(stats.SimilarCount, "similar neuron")}, " : "";
        stdout.WriteLine($"model: {Plural(stats.DeadCount, "dead neuron")}, {Plural(stats.DuplicateCount, "duplicate")}, {similar}" +
            $"{Plural(stats.OutlierCount, "outlier")}; {(stats.Weights == 0 ? "no weights" : Percent((double)stats.Zeros / stats.Weights) + " of weights are zero")}; " +
            $"{Plural(stats.BytesRead, "byte")} read");
    }

    private static PlainTable Table(LayerStats layer, StatsOrder order)
    {
        bool gated = layer.Neurons.Any(n => n.GateBiases is not null);
        var table = new PlainTable().Column("neuron", right: true);
        foreach (string column in (string[])["L1", "L2", "mean", "std", "min", "max", "zeros"])
            table.Column(column, right: true);
        table.Column(gated ? "bias per gate" : "bias", right: !gated).Column("flags");
        // Formatting the numbers is most of the work: rows are formatted on all cores, then added in order.
        var neurons = order.Apply(layer);
        var rows = new string[neurons.Count][];
        Parallel.For(0, rows.Length, i =>
        {
            var n = neurons[i];
            rows[i] = [n.Index.ToString(CultureInfo.InvariantCulture), Number(n.L1), Number(n.L2), Number(n.Mean), Number(n.Std),
                Number(n.Min), Number(n.Max), Percent(n.ZeroFraction),
                gated ? StatsFlags.Gates(n, Number, "-") : n.Bias is { } b ? Number(b) : "-", StatsFlags.Text(n)];
        });
        foreach (var row in rows) table.Row(row);
        return table;
    }

    // A layer whose neurons have no incoming weights (Linear(0, n)) has no norms to take a median of, nor weights to range.
    private static string Summary(LayerStats layer) =>
        (layer.Weights == 0 ? "no weights; "
            : $"L2 median {Number(layer.NormMedian)}, robust deviation {Number(layer.NormSigma)} (outlier beyond {layer.OutlierK.ToString(CultureInfo.InvariantCulture)}×); " +
              $"weights {Number(layer.Min)}..{Number(layer.Max)}, {Percent(layer.ZeroFraction)} zero; ") +
        $"{Plural(layer.DeadCount, "dead neuron")}, {Plural(layer.DuplicateCount, "duplicate")}, {Plural(layer.OutlierCount, "outlier")}" +
        (layer.SimilarCosine is { } cosine ? $", {Plural(layer.SimilarCount, "similar neuron")} (nearest cosine ≥ {cosine.ToString(CultureInfo.InvariantCulture)})" : "") +
        (layer.Neurons.Count > 0 && layer.Neurons[0].OutgoingL2 is not null ? $", {Plural(layer.UnusedCount, "unused neuron")} (outgoing weights all zero)" : "");

    internal static string Number(double value) => double.IsNaN(value) ? "nan" : value == 0 ? "0" : TensorText.Number(value);

    internal static string Percent(double fraction) =>
        double.IsNaN(fraction) ? "-" : (fraction * 100).ToString(fraction is > 0 and < 0.001 ? "0.###" : "0.#", CultureInfo.InvariantCulture) + "%";

    private static string Plural(long count, string noun) => Counted.Of(count, noun);
}
