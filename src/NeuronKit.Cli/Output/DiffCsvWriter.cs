using System.Globalization;
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
        foreach (var layer in diff.Layers)
        {
            string prefix = $"{StatsCsvWriter.Cell(layer.A.Name)},{StatsCsvWriter.Cell(layer.Kind)},";
            foreach (var n in order.Apply(layer))
            {
                string bias = n.BiasDelta is { } b ? b.ToString("R", CultureInfo.InvariantCulture) : "";
                stdout.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{prefix}{n.Index},{n.L2Delta:R},{n.Relative:R},{n.Cosine:R},{n.MaxAbs:R},{bias},{string.Join(";", DiffFlagNames.Of(n.Flags))}\n"));
            }
        }
    }
}
