using NeuronKit.Diff;
using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron diff A B LAYER INDEX</c>: the neuron's change in one line, then each part of it in A and in B side by
/// side, value by value, with the difference (the first and last values of a long part, unless <c>--full</c>).
/// </summary>
internal static class DiffNeuronTextWriter
{
    // Beyond this many values a part shows its first and last half of them, as PyTorch shortens long tensors.
    private const int Shown = 40;

    public static void Write(TextWriter stdout, ModelDiff diff, Neuron a, Neuron b, bool full)
    {
        var layer = diff.Layers[0];
        var n = layer.Neurons[0];
        stdout.WriteLine($"{PrintableWriter.OneLine(layer.A.Name)} ({layer.Kind}) neuron {a.Index} of {layer.A.NeuronCount}: " +
            $"{ModelTitle.Of(diff.A)} → {ModelTitle.Of(diff.B)}" +
            (layer.A.Name != layer.B.Name || b.Index != a.Index ? $" (in B: {PrintableWriter.OneLine(layer.B.Name)} neuron {b.Index}{DiffTextWriter.Converted(layer)})"
                : layer.BAxes is { } axes ? $" ({axes.Name})" : ""));
        var flags = DiffFlagNames.Of(n.Flags);
        stdout.WriteLine($"‖Δ‖ {DiffTextWriter.Number(n.L2Delta)}, relative {DiffTextWriter.Percent(n.Relative)}, cosine {DiffTextWriter.Number(n.Cosine)}, max |Δ| {DiffTextWriter.Number(n.MaxAbs)}" +
            (n.BiasDelta is { } bias ? $", Δ bias {DiffTextWriter.Number(bias)}" : "") + (flags.Count == 0 ? "" : $"; {string.Join(", ", flags)}"));
        var pairs = LayerDiff.PairParts(a, b);
        for (int k = 0; k < pairs.Count; k++)
        {
            var (partA, partB) = pairs[k];
            string gate = partA.Gate is { } g ? $" ({g})" : "";
            // The table ends with a blank line of its own.
            if (k == 0) stdout.WriteLine();
            stdout.WriteLine($"{PrintableWriter.OneLine(partA.Tensor)}{partA.Index}  {partA.Role}{gate} · [{string.Join(", ", partA.Shape)}] {partA.StoredAs ?? partA.DType.Name()}" +
                (partB.Tensor == partA.Tensor ? "" : $"  (in B: {PrintableWriter.OneLine(partB.Tensor)}{partB.Index})"));
            // B's weights in A's order, where one file keeps a convolution's channels last and the other first.
            double[] valuesA = partA.ToDoubles();
            double[] valuesB = layer.BAxes is { } order && partB.Role.Use == PartUse.Weight ? partB.View.Permute(order.Axes).ToDoubles() : partB.ToDoubles();
            // B's weights as stored; their difference as compared, less the converter's shift.
            double shift = partA.Role.Use == PartUse.Weight ? layer.BShift?.Amount ?? 0 : 0;
            string amount = Math.Abs(shift).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string difference = shift == 0 ? "B − A" : shift > 0 ? $"B − {amount} − A" : $"B + {amount} − A";
            var table = new PlainTable().Column("at", right: true).Column("A", right: true).Column("B", right: true).Column(difference, right: true);
            // Only the rows both files keep, when a converter dropped the rest of one's (layer.Kept).
            int compared = Math.Min(valuesA.Length, valuesB.Length);
            for (int i = 0; i < compared; i++)
            {
                if (!full && compared > Shown && i == Shown / 2)
                {
                    table.Row("…", "", "", "");
                    i = compared - Shown / 2;
                }
                table.Row(Position(i, partA.Shape), DiffTextWriter.Number(valuesA[i]), DiffTextWriter.Number(valuesB[i]), DiffTextWriter.Number(valuesB[i] - shift - valuesA[i]));
            }
            table.Write(stdout);
        }
    }

    // Flat index i of a part as its multi-index, [2, 0, 1].
    private static string Position(long i, IReadOnlyList<long> shape)
    {
        if (shape.Count == 0) return "[]";
        var at = new long[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            at[d] = i % shape[d];
            i /= shape[d];
        }
        return $"[{string.Join(", ", at)}]";
    }

}
