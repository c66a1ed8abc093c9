using NeuronKit.Layers;
using NeuronKit.Tensors;
using NeuronKit.Views.Reports;
using Spectre.Console;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron layers</c> for reading: a table of layers, then the evidence behind each kind and layout. A long run of
/// numbered sub-layers of one tensor (a mixture of experts' 128 experts) shows its first and last, as PyTorch shortens a
/// long tensor; <c>--json</c> lists every one.
/// </summary>
internal static class LayersTextWriter
{
    // Runs of numbered sub-layers longer than this show only their first and last.
    private const int ShownRun = 4;

    public static void Write(TextWriter stdout, Model model)
    {
        var console = ConsoleFactory.Create(stdout);
        console.WriteLine($"{ModelTitle.WithFormat(model)}: {Counted.Of(model.Layers.Count, "layer")}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("layer").AddColumn("kind").AddColumn(new TableColumn("neurons").RightAligned())
            .AddColumn("tensors").AddColumn("layout");
        var hidden = Hidden(model.Layers, out var gaps);
        foreach (var layer in model.Layers)
        {
            if (gaps.TryGetValue(layer, out int more)) table.AddRow(Markup.Escape($"… {more} more"), "", "", "", "");
            if (hidden.Contains(layer)) continue;
            // Tensor names are shown relative to the layer's module, which the first column already names.
            string prefix = (layer.Module ?? layer.Name) is "" ? "" : (layer.Module ?? layer.Name) + ".";
            string tensors = string.Join("\n", layer.Tensors.Select(t =>
                $"{PrintableWriter.OneLine(t.Tensor.Name.StartsWith(prefix, StringComparison.Ordinal) ? t.Tensor.Name[prefix.Length..] : t.Tensor.Name)} " +
                $"[{string.Join(", ", t.Tensor.Shape)}] {t.Tensor.StoredAs ?? t.Tensor.DType.Name()}"));
            table.AddRow(Markup.Escape(layer.Name == "" ? "\"\"" : PrintableWriter.OneLine(layer.Name)), Markup.Escape(layer.Kind + (layer.Assumed ? "*" : "")),
                layer.NeuronCount.ToString("N0"), Markup.Escape(tensors), Markup.Escape(layer.Layout));
        }
        console.Write(table);
        if (model.Layers.Any(l => l.Assumed))
            console.WriteLine("* assumed: the file does not settle the kind or layout; --kind and --layout override it");
        foreach (var layer in model.Layers)
            if (layer.WhyNoNeurons is { } why)
                console.WriteLine($"{(layer.Name == "" ? "\"\"" : PrintableWriter.OneLine(layer.Name))} has no neurons: {PrintableWriter.OneLine(why)}");
        foreach (string prefix in model.Checkpoint.Graph.NonLayerPrefixes)
            console.WriteLine($"not layers: {(prefix == "" ? "the whole file" : PrintableWriter.OneLine(prefix))} (optimizer state)");
        if (UnreadTensorsNote.Of(model.Checkpoint) is { } unread) stdout.WriteLine(unread);
        // Evidence is prose; printed plainly so it is never wrapped mid-sentence.
        stdout.WriteLine();
        stdout.WriteLine("evidence:");
        foreach (var layer in model.Layers)
        {
            if (gaps.TryGetValue(layer, out int more)) stdout.WriteLine($"  {Gap(layer, more)}");
            if (!hidden.Contains(layer)) stdout.WriteLine($"  {(layer.Name == "" ? "\"\"" : PrintableWriter.OneLine(layer.Name))}: {PrintableWriter.OneLine(string.Join("; ", layer.Evidence))}");
        }
        var edges = model.Layers.Where(l => !hidden.Contains(l)).SelectMany(l => model.Graph.ConsumersOf(l).Select(e => (Producer: l, Edge: e))).ToList();
        if (edges.Count == 0) return;
        stdout.WriteLine();
        stdout.WriteLine("consumers (what reads each layer's output; --outgoing shows the weights):");
        var after = model.Layers.Zip(model.Layers.Skip(1)).ToDictionary(p => p.First, p => p.Second);
        Layer? previous = null;
        foreach (var (producer, edge) in edges)
        {
            // A run's gap line goes after its first layer's consumers, before its last's.
            if (producer != previous && previous is not null && after.TryGetValue(previous, out var gap) && gaps.TryGetValue(gap, out int more))
                stdout.WriteLine($"  {Gap(gap, more)}");
            previous = producer;
            string through = edge.Through.Count == 0 ? "" : $" through {string.Join(", ", edge.Through.Select(t => PrintableWriter.OneLine(t.Name)))}";
            stdout.WriteLine($"  {PrintableWriter.OneLine(producer.Name)} → {PrintableWriter.OneLine(edge.Consumer.Name)}{through}{(edge.Assumed ? "*" : "")}: {PrintableWriter.OneLine(string.Join("; ", edge.Evidence))}");
        }
        foreach (var layer in model.Layers.Where(l => !hidden.Contains(l)))
            if (model.Graph.Unfollowed(layer) is { } lost)
                stdout.WriteLine($"  {PrintableWriter.OneLine(layer.Name)} → ?: {PrintableWriter.OneLine(lost)}; --outgoing shows only the consumers above");
        if (edges.Any(e => e.Edge.Assumed))
            stdout.WriteLine("  * assumed: names and shapes say so, not the file's graph or module classes; show --outgoing --consumer overrides it");
    }

    // The layers a long run of sub-layers numbered 0, 1, … of one module hides (all but its first and last), and before
    // which layer each run's gap line goes: "… blk.0.ffn_up_exps.1 to .126: 126 more of the same".
    private static HashSet<Layer> Hidden(IReadOnlyList<Layer> layers, out Dictionary<Layer, int> gaps)
    {
        var hidden = new HashSet<Layer>();
        gaps = [];
        for (int start = 0; start < layers.Count;)
        {
            int end = start;
            while (end < layers.Count && Numbered(layers[end], end - start) && layers[end].Module == layers[start].Module) end++;
            if (end - start > ShownRun)
            {
                for (int k = start + 1; k < end - 1; k++) hidden.Add(layers[k]);
                gaps[layers[start + 1]] = end - start - 2;
            }
            start = Math.Max(end, start + 1);
        }
        return hidden;
    }

    // "… blk.0.ffn_up_exps.1 to .126: 126 more of the same", for the gap that starts at first.
    private static string Gap(Layer first, int more) => $"… {PrintableWriter.OneLine(first.Name)} to .{more}: {more} more of the same";

    // Sub-layer number of its module: blk.0.ffn_up_exps.3 is number 3 of blk.0.ffn_up_exps.
    private static bool Numbered(Layer layer, int number) =>
        layer.Module is { } module && layer.Name == $"{module}.{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
