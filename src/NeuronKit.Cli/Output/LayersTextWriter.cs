using NeuronKit.Tensors;
using Spectre.Console;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron layers</c> for reading: one table row per layer.</summary>
internal static class LayersTextWriter
{
    public static void Write(TextWriter stdout, Model model)
    {
        var console = ConsoleFactory.Create(stdout);
        console.WriteLine($"{Path.GetFileName(model.Checkpoint.Path)} ({model.Checkpoint.Format}): {model.Layers.Count} layers");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("layer").AddColumn("kind").AddColumn(new TableColumn("neurons").RightAligned())
            .AddColumn("tensors").AddColumn("layout").AddColumn("evidence");
        foreach (var layer in model.Layers)
        {
            string tensors = string.Join("\n", layer.Tensors.Select(t =>
                $"{t.Tensor.Name} [{string.Join(", ", t.Tensor.Shape)}] {t.Tensor.DType.Name()}"));
            string evidence = (layer.Assumed ? "assumed: " : "") + string.Join("; ", layer.Evidence);
            table.AddRow(Markup.Escape(layer.Name), Markup.Escape(layer.Kind), layer.NeuronCount.ToString("N0"),
                Markup.Escape(tensors), Markup.Escape(layer.Layout), Markup.Escape(evidence));
        }
        console.Write(table);
    }
}
