using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron show</c> for reading: a header, then each part with its slice, summary and values.</summary>
internal static class ShowTextWriter
{
    public static void Write(TextWriter stdout, Model model, Neuron neuron, bool full)
    {
        var layer = neuron.Layer;
        stdout.WriteLine($"{Path.GetFileName(model.Checkpoint.Path)} ({model.Checkpoint.Format}) · layer {layer.Name} ({layer.Kind}) · " +
            $"neuron {neuron.Index} of {layer.NeuronCount} (0..{layer.NeuronCount - 1})");
        stdout.WriteLine($"layout: {layer.Layout}{(layer.Assumed ? " (assumed: " + string.Join("; ", layer.Evidence) + ")" : "")}");
        var values = new Dictionary<NeuronPart, double[]>();
        string? lastNote = null;
        foreach (var part in neuron.Parts)
        {
            double[] v = part.ToDoubles();
            values[part] = v;
            stdout.WriteLine();
            string gate = part.Gate is null ? "" : $" · gate {part.Gate}";
            string shape = $"[{string.Join(", ", part.Shape)}] {model.Checkpoint.Find(part.Tensor)?.StoredAs ?? part.DType.Name()}";
            if (part.Shape.Count == 0)
            {
                stdout.WriteLine($"{part.Tensor}{part.Index}  {part.Role}{gate} · {shape} = {TensorText.Format(v, part.Shape, part.DType.IsFloatingPoint(), full, 0)}");
            }
            else
            {
                stdout.WriteLine($"{part.Tensor}{part.Index}  {part.Role}{gate} · {shape}");
                if (v.Length > 0) stdout.WriteLine($"  {Summary(v)}");
                stdout.WriteLine("  " + TensorText.Format(v, part.Shape, part.DType.IsFloatingPoint(), full, indent: 2));
            }
            // Parts of one gate share their note; say it once.
            if (part.Note is not null && part.Note != lastNote) stdout.WriteLine($"  note: {part.Note}");
            lastNote = part.Note;
        }
        WriteEffectiveBiases(stdout, neuron, values);
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

    // The input-side and recurrent-side bias roles: PyTorch's names, then ONNX's.
    private static readonly (string Input, string Recurrent)[] BiasPairs = [("bias_ih", "bias_hh"), ("Wb", "Rb")];

    // A GRU's candidate gate scales its recurrent part, bias included, by the reset gate (PyTorch; ONNX with
    // linear_before_reset=1), so its two biases do not add up to one.
    private static readonly string[] ScaledByReset = ["new", "hidden"];

    /// <summary>A recurrent gate's effective bias is the sum of its two biases; users otherwise read only one of them.</summary>
    private static void WriteEffectiveBiases(TextWriter stdout, Neuron neuron, Dictionary<NeuronPart, double[]> values)
    {
        foreach (var (inputRole, recurrentRole) in BiasPairs)
        {
            var pairs = neuron.Parts.Where(p => p.Role == inputRole && p.Shape.Count == 0)
                .Select(i => (i, r: neuron.Parts.FirstOrDefault(p => p.Role == recurrentRole && p.Gate == i.Gate)))
                .Where(pair => pair.r is not null)
                .ToList();
            if (pairs.Count == 0) continue;
            stdout.WriteLine();
            stdout.WriteLine($"effective bias ({inputRole} + {recurrentRole}):");
            foreach (var (i, r) in pairs)
            {
                double a = values[i][0], b = values[r!][0];
                bool scaled = neuron.Layer.Kind == "GRU" && ScaledByReset.Contains(i.Gate);
                stdout.WriteLine(scaled
                    ? $"  {i.Gate,-8} {TensorText.Number(a),10} and {TensorText.Number(b),8}: not summed, the reset gate scales {recurrentRole}"
                    : $"  {i.Gate ?? "",-8} {TensorText.Number(a),10} + {TensorText.Number(b),10} = {TensorText.Number(a + b)}");
            }
        }
    }
}
