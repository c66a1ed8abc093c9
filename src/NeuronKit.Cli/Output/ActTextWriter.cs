using System.Globalization;
using NeuronKit.Activations;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary>
/// Prints what <c>neuron act</c> found: a neuron's activations per input, a folder's top inputs, or a layer's table.
/// JSON goes through the reports; CSV numbers round-trip (shortest form), NaN and infinities as .NET spells them.
/// </summary>
internal static class ActTextWriter
{
    public static void WriteActivations(TextWriter stdout, ActOutput format, string layer, long neuron, bool post, IReadOnlyList<NeuronActivation> activations)
    {
        switch (format)
        {
            case ActOutput.Json:
                ReportJson.Write(stdout, new ActivationReport(layer, neuron, [.. activations.Select(a => ActivationEntryReport.Of(a.Input, a.Shape, a.Values))]));
                return;
            case ActOutput.Csv:
                // One row per value: the input, the value's position in the neuron's output (empty for a single value).
                stdout.Write("input,position,value\n");
                foreach (var a in activations)
                    for (int i = 0; i < a.Values.Length; i++)
                        stdout.Write($"{Csv(a.Input)},{Position(i, a.Shape)},{Number(a.Values[i])}\n");
                return;
        }
        stdout.WriteLine($"{PrintableWriter.OneLine(layer)}, neuron {neuron}{(post ? ", after its activation function" : "")}: {Count(activations.Count, "input")}");
        foreach (var a in activations)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{PrintableWriter.OneLine(a.Input)}: shape [{string.Join(", ", a.Shape)}], mean {TensorText.Number(a.Mean)}, max {TensorText.Number(a.Max)}");
            stdout.WriteLine(TensorText.Format(a.Values, a.Shape, isFloat: true, full: false, indent: 0));
        }
    }

    public static void WriteTop(TextWriter stdout, ActOutput format, string layer, long neuron, ActivationScore by, long count, IReadOnlyList<NeuronActivation> top)
    {
        string byName = by.Name();
        switch (format)
        {
            case ActOutput.Json:
                ReportJson.Write(stdout, new TopActivationsReport(layer, neuron, byName, count,
                    [.. top.Select(a => new RankedInputReport(a.Input, a.Score(by), a.Mean, a.Max))]));
                return;
            case ActOutput.Csv:
                stdout.Write("rank,input,value,mean,max\n");
                for (int i = 0; i < top.Count; i++)
                    stdout.Write($"{i + 1},{Csv(top[i].Input)},{Number(top[i].Score(by))},{Number(top[i].Mean)},{Number(top[i].Max)}\n");
                return;
        }
        stdout.WriteLine($"{PrintableWriter.OneLine(layer)}, neuron {neuron}: the {top.Count} of {Count(count, "input")} with the highest {byName}");
        var table = new PlainTable().Column("rank", right: true).Column("input").Column(byName, right: true)
            .Column(by == ActivationScore.Max ? "mean" : "max", right: true);
        for (int i = 0; i < top.Count; i++)
            table.Row((i + 1).ToString(CultureInfo.InvariantCulture), top[i].Input, TensorText.Number(top[i].Score(by)),
                TensorText.Number(by == ActivationScore.Max ? top[i].Mean : top[i].Max));
        table.Write(stdout);
    }

    public static void WriteTable(TextWriter stdout, ActOutput format, string layer, ActivationScore by, IReadOnlyList<(string Input, double[] Scores)> rows)
    {
        int neurons = rows.Count > 0 ? rows[0].Scores.Length : 0;
        // Dead on these inputs: never above 0 (after a ReLU, never on).
        long[] dead = [.. Enumerable.Range(0, neurons).Where(j => rows.All(r => !(r.Scores[j] > 0))).Select(j => (long)j)];
        switch (format)
        {
            case ActOutput.Json:
                ReportJson.Write(stdout, new LayerActivationsReport(layer, by.Name(), neurons, [.. rows.Select(r => new InputRowReport(r.Input, r.Scores))], dead));
                return;
            case ActOutput.Csv:
                stdout.Write("input," + string.Join(",", Enumerable.Range(0, neurons)) + "\n");
                foreach (var (input, scores) in rows)
                    stdout.Write(Csv(input) + "," + string.Join(",", scores.Select(Number)) + "\n");
                return;
        }
        stdout.WriteLine($"{PrintableWriter.OneLine(layer)}: the {by.Name()} of each of its {Count(neurons, "neuron")} on {Count(rows.Count, "input")}");
        var table = new PlainTable().Column("input");
        for (int j = 0; j < neurons; j++) table.Column(j.ToString(CultureInfo.InvariantCulture), right: true);
        foreach (var (input, scores) in rows) table.Row([input, .. scores.Select(TensorText.Number)]);
        table.Write(stdout);
        stdout.WriteLine(dead.Length == 0 ? "no neuron is dead on these inputs (each is above 0 on one at least)"
            : $"never above 0 on these inputs: {Count(dead.Length, "neuron")} ({string.Join(", ", dead)})");
    }


    private static string Count(long n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Csv(string text) => text.Contains(',') || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;

    private static string Position(int flat, IReadOnlyList<long> shape)
    {
        var index = new long[shape.Count];
        long rest = flat;
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        return string.Join(" ", index);
    }
}
