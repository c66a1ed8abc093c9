using NeuronKit.Tensors;
using Spectre.Console;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron layers</c> for reading: a table of layers, then the evidence behind each kind and layout.</summary>
internal static class LayersTextWriter
{
    public static void Write(TextWriter stdout, Model model)
    {
        var console = ConsoleFactory.Create(stdout);
        console.WriteLine($"{Path.GetFileName(model.Checkpoint.Path)} ({model.Checkpoint.Format}): {Counted.Of(model.Layers.Count, "layer")}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("layer").AddColumn("kind").AddColumn(new TableColumn("neurons").RightAligned())
            .AddColumn("tensors").AddColumn("layout");
        foreach (var layer in model.Layers)
        {
            // Tensor names are shown relative to the layer's module, which the first column already names.
            string prefix = (layer.Module ?? layer.Name) is "" ? "" : (layer.Module ?? layer.Name) + ".";
            string tensors = string.Join("\n", layer.Tensors.Select(t =>
                $"{(t.Tensor.Name.StartsWith(prefix, StringComparison.Ordinal) ? t.Tensor.Name[prefix.Length..] : t.Tensor.Name)} " +
                $"[{string.Join(", ", t.Tensor.Shape)}] {t.Tensor.StoredAs ?? t.Tensor.DType.Name()}"));
            table.AddRow(Markup.Escape(layer.Name == "" ? "\"\"" : layer.Name), Markup.Escape(layer.Kind + (layer.Assumed ? "*" : "")),
                layer.NeuronCount.ToString("N0"), Markup.Escape(tensors), Markup.Escape(layer.Layout));
        }
        console.Write(table);
        if (model.Layers.Any(l => l.Assumed))
            console.WriteLine("* assumed: the file does not settle the kind or layout; --kind and --layout override it");
        foreach (var layer in model.Layers)
            if (layer.WhyNoNeurons is { } why)
                console.WriteLine($"{(layer.Name == "" ? "\"\"" : layer.Name)} has no neurons: {why}");
        foreach (string prefix in model.Checkpoint.Graph.NonLayerPrefixes)
            console.WriteLine($"not layers: {(prefix == "" ? "the whole file" : prefix)} (optimizer state)");
        // Evidence is prose; printed plainly so it is never wrapped mid-sentence.
        stdout.WriteLine();
        stdout.WriteLine("evidence:");
        foreach (var layer in model.Layers)
            stdout.WriteLine($"  {(layer.Name == "" ? "\"\"" : layer.Name)}: {string.Join("; ", layer.Evidence)}");
        var edges = model.Layers.SelectMany(l => model.Graph.ConsumersOf(l).Select(e => (Producer: l, Edge: e))).ToList();
        if (edges.Count == 0) return;
        stdout.WriteLine();
        stdout.WriteLine("consumers (what reads each layer's output; --outgoing shows the weights):");
        foreach (var (producer, edge) in edges)
        {
            string through = edge.Through.Count == 0 ? "" : $" through {string.Join(", ", edge.Through.Select(t => t.Name))}";
            stdout.WriteLine($"  {producer.Name} → {edge.Consumer.Name}{through}{(edge.Assumed ? "*" : "")}: {string.Join("; ", edge.Evidence)}");
        }
        if (edges.Any(e => e.Edge.Assumed))
            stdout.WriteLine("  * assumed: names and shapes say so, not the file's graph or module classes; show --outgoing --consumer overrides it");
    }
}
