using System.Numerics;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron show</c> for reading: a header, then each part with its slice, summary and values.</summary>
internal static class ShowTextWriter
{
    public static void Write(TextWriter stdout, Model model, Neuron neuron, bool full, bool raw)
    {
        var layer = neuron.Layer;
        stdout.WriteLine($"{ModelTitle.WithFormat(model)} · layer {PrintableWriter.OneLine(layer.Name)} ({layer.Kind}) · " +
            $"neuron {neuron.Index} of {layer.NeuronCount} (0..{layer.NeuronCount - 1})");
        stdout.WriteLine($"layout: {layer.Layout}{(layer.Assumed ? " (assumed: " + PrintableWriter.OneLine(string.Join("; ", layer.Evidence)) + ")" : "")}");
        var values = new Dictionary<NeuronPart, double[]>();
        string? lastNote = null;
        foreach (var part in neuron.Parts)
        {
            stdout.WriteLine();
            string gate = (part.Gate is null ? "" : $" · gate {part.Gate}") + part.Direction switch
            {
                PartDirection.Through => $" · through, to {part.Consumer}",
                PartDirection.Out => $" · out, into {part.Consumer}",
                _ => "",
            };
            string shape = $"[{string.Join(", ", part.Shape)}] {part.StoredAs ?? part.DType.Name()}";
            if (part.DType.IsComplex())
            {
                WriteComplex(stdout, part, $"{PrintableWriter.OneLine(part.Tensor)}{part.Index}  {part.Role}{gate} · {shape}", full);
                if (part.Note is not null && part.Note != lastNote) stdout.WriteLine($"  note: {PrintableWriter.OneLine(part.Note)}");
                lastNote = part.Note;
                continue;
            }
            double[] v = part.ToDoubles();
            values[part] = v;
            if (part.Shape.Count == 0)
            {
                stdout.WriteLine($"{PrintableWriter.OneLine(part.Tensor)}{part.Index}  {part.Role}{gate} · {shape} = {TensorText.Format(v, part.Shape, part.DType.IsFloatingPoint(), full, 0)}");
            }
            else
            {
                stdout.WriteLine($"{PrintableWriter.OneLine(part.Tensor)}{part.Index}  {part.Role}{gate} · {shape}");
                if (v.Length > 0) stdout.WriteLine($"  {Summary(v)}");
                stdout.WriteLine("  " + TensorText.Format(v, part.Shape, part.DType.IsFloatingPoint(), full, indent: 2));
            }
            if (raw && part.ToQuantized() is { } quantized) WriteStored(stdout, part, quantized, full);
            // Parts of one gate share their note; say it once.
            if (part.Note is not null && part.Note != lastNote) stdout.WriteLine($"  note: {PrintableWriter.OneLine(part.Note)}");
            lastNote = part.Note;
        }
        WriteEffectiveBiases(stdout, neuron, values);
    }

    /// <summary>A complex part: its values as re±imj, summarized by the moduli |z| and the complex mean.</summary>
    private static void WriteComplex(TextWriter stdout, NeuronPart part, string heading, bool full)
    {
        var v = part.ToComplex();
        if (part.Shape.Count == 0)
        {
            stdout.WriteLine($"{heading} = {TensorText.Format(v, part.Shape, full, 0)}");
            return;
        }
        stdout.WriteLine(heading);
        if (v.Length > 0) stdout.WriteLine($"  {ComplexSummary(v)}");
        stdout.WriteLine("  " + TensorText.Format(v, part.Shape, full, indent: 2));
    }

    /// <summary>
    /// Of the finite values: the smallest and largest modulus |z|, the mean (a complex number) and the L2 norm
    /// sqrt(Σ|z|²) (torch.linalg.vector_norm's), and how many are not finite.
    /// </summary>
    private static string ComplexSummary(Complex[] v)
    {
        var finite = v.Where(Complex.IsFinite).ToArray();
        string nonFinite = finite.Length == v.Length ? "" : $"  ({v.Length - finite.Length} not finite, not counted)";
        if (finite.Length == 0) return nonFinite.Trim();
        var moduli = finite.Select(Complex.Abs).ToArray();
        var mean = finite.Aggregate(Complex.Zero, (sum, z) => sum + z) / finite.Length;
        double sumSquares = finite.Sum(z => z.Real * z.Real + z.Imaginary * z.Imaginary);
        return $"|z| min {TensorText.Number(moduli.Min())}  max {TensorText.Number(moduli.Max())}  " +
            $"mean {TensorText.Number(mean)}  L2 {TensorText.Number(Math.Sqrt(sumSquares))}{nonFinite}";
    }

    /// <summary>
    /// <c>--raw</c>: a quantized part's stored integers, then its scale and zero point (per element for a per-channel
    /// scheme), and its min where the layout adds one; a codebook layout's codes, scales and codebook.
    /// </summary>
    private static void WriteStored(TextWriter stdout, NeuronPart part, QuantizedValues quantized, bool full)
    {
        string integers = TensorText.Format([.. quantized.Integers.Select(v => (double)v)], part.Shape, false, full, indent: 2);
        if (quantized.Axis is null)
        {
            stdout.WriteLine($"  stored ({quantized.Scheme}, scale {quantized.Scales[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, " +
                $"zero point {quantized.ZeroPoints[0]}):");
            stdout.WriteLine("  " + integers);
            return;
        }
        stdout.WriteLine($"  stored ({quantized.Scheme}, axis {quantized.Axis}):");
        stdout.WriteLine("  " + integers);
        stdout.WriteLine("  scale:");
        stdout.WriteLine("  " + TensorText.Format(quantized.Scales, part.Shape, true, full, indent: 2));
        if (quantized.Codebook is { } codebook)
        {
            stdout.WriteLine("  codebook (what each code stands for, before its scale):");
            stdout.WriteLine("  " + TensorText.Format(codebook, [codebook.Length], !codebook.All(double.IsInteger), full: true, indent: 2));
            return;
        }
        stdout.WriteLine("  zero point:");
        stdout.WriteLine("  " + TensorText.Format(quantized.ZeroPoints, part.Shape, !quantized.ZeroPoints.All(double.IsInteger), full, indent: 2));
        if (quantized.Mins is not { } mins) return;
        stdout.WriteLine("  min (what integer 0 decodes to):");
        stdout.WriteLine("  " + TensorText.Format(mins, part.Shape, true, full, indent: 2));
    }

    /// <summary>Min, max, mean and L2 norm of the finite values, and how many are not finite.</summary>
    private static string Summary(double[] v)
    {
        var finite = v.Where(double.IsFinite).ToArray();
        string nonFinite = finite.Length == v.Length ? "" :
            $"  ({v.Count(double.IsNaN)} nan, {v.Count(double.IsInfinity)} inf not counted)";
        if (finite.Length == 0) return nonFinite.Trim();
        double sumSquares = finite.Sum(x => x * x);
        return $"min {TensorText.Number(finite.Min())}  max {TensorText.Number(finite.Max())}  " +
            $"mean {TensorText.Number(finite.Average())}  L2 {TensorText.Number(Math.Sqrt(sumSquares))}{nonFinite}";
    }

    /// <summary>A recurrent gate's effective bias is the sum of its two biases; users otherwise read only one of them.</summary>
    private static void WriteEffectiveBiases(TextWriter stdout, Neuron neuron, Dictionary<NeuronPart, double[]> values)
    {
        var biases = neuron.EffectiveBiases;
        if (biases is not [{ Parts: [var input, var recurrent] }, ..]) return;
        stdout.WriteLine();
        stdout.WriteLine($"effective bias ({input.Role} + {recurrent.Role}):");
        foreach (var bias in biases)
        {
            string gate = bias.Gate?.Name ?? "";
            // A complex bias part was printed from its complex values, which the dictionary of real ones does not hold.
            string[] terms = [.. bias.Parts.Select(p => p.DType.IsComplex() ? TensorText.Number(p.ToComplex()[0]) : TensorText.Number(values[p][0]))];
            string? sum = !bias.Sums ? null : bias.IsComplex ? TensorText.Number(bias.ComplexValue()!.Value) : TensorText.Number(bias.Value()!.Value);
            stdout.WriteLine(sum is not null
                ? $"  {gate,-8} {string.Join(" + ", terms.Select(t => $"{t,10}"))} = {sum}"
                : $"  {gate,-8} {terms[0],10} and {string.Join(" and ", terms.Skip(1).Select(t => $"{t,8}"))}: not summed, {bias.NotSummed}");
        }
    }
}
