using NeuronKit.Export;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron show -o</c> for reading: which neuron went where, then each array's key, the part it holds, its shape and
/// the dtype written (and the part's own, where the values were converted).
/// </summary>
internal static class ArraysTextWriter
{
    public static void Write(TextWriter stdout, Neuron neuron, IReadOnlyList<NeuronArray> arrays, string path)
    {
        stdout.WriteLine($"neuron {neuron.Index} of {PrintableWriter.OneLine(neuron.Layer.Name)} ({neuron.Layer.Kind}) → {path}: {Counted.Of(arrays.Count, "array")}");
        var rows = arrays.Select(a => (a.Name, Part: $"{PrintableWriter.OneLine(a.Part.Tensor)}{a.Part.Index}", Shape: $"[{string.Join(", ", a.Shape)}]",
            Type: a.DType.Name() + (a.Part.StoredAs ?? a.Part.DType.Name()) switch
            {
                var own when own == a.DType.Name() => "",
                var own => $" (from {own})",
            })).ToList();
        int name = rows.Max(r => r.Name.Length), part = rows.Max(r => r.Part.Length), shape = rows.Max(r => r.Shape.Length);
        foreach (var row in rows)
            stdout.WriteLine($"  {row.Name.PadRight(name)}  {row.Part.PadRight(part)}  {row.Shape.PadRight(shape)}  {row.Type}");
    }
}
