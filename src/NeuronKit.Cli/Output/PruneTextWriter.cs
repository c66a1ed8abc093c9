using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron prune</c> for reading: the neurons removed, then each tensor with its shape before and after.</summary>
internal static class PruneTextWriter
{
    public static void Write(TextWriter stdout, ModelPrune prune, bool dryRun)
    {
        string file = prune.Model.Checkpoint.FileName;
        stdout.WriteLine(dryRun ? $"{file} (dry run: nothing written)" : $"{file} → {prune.WrittenTo}");
        foreach (var (layer, removed) in prune.Targets)
            stdout.WriteLine($"  {PrintableWriter.OneLine(layer.Name)}: removes {Counted.Of(removed.Count, "neuron")} ({string.Join(", ", removed)}), " +
                $"{layer.NeuronCount:N0} → {layer.NeuronCount - removed.Count:N0}");
        if (prune.Consumers.Count > 0) stdout.WriteLine($"  consumers whose inputs shrink: {string.Join(", ", prune.Consumers.Select(PrintableWriter.OneLine))}");
        var rows = prune.Cuts.Select(c => (Name: PrintableWriter.OneLine(c.Tensor.Name),
            Shapes: $"[{string.Join(", ", c.Tensor.Shape)}] → [{string.Join(", ", c.NewShape)}]",
            Removed: string.Join("; ", c.Removed.Select(r => $"dim {r.Key}: {Indices(r.Value)}")))).ToList();
        int name = rows.Max(r => r.Name.Length), shapes = rows.Max(r => r.Shapes.Length);
        foreach (var (tensor, change, removed) in rows)
            stdout.WriteLine($"    {tensor.PadRight(name)}  {change.PadRight(shapes)}  {removed}");
    }

    // Long runs read better as ranges: a flatten's block of 16 columns is 48..63.
    private static string Indices(IReadOnlyList<long> indices)
    {
        var runs = new List<string>();
        for (int i = 0; i < indices.Count;)
        {
            int j = i;
            while (j + 1 < indices.Count && indices[j + 1] == indices[j] + 1) j++;
            runs.Add(j - i >= 2 ? $"{indices[i]}..{indices[j]}" : string.Join(", ", indices.Skip(i).Take(j - i + 1)));
            i = j + 1;
        }
        return string.Join(", ", runs);
    }
}
