using NeuronKit.Formats;
using NeuronKit.Tensors;
using Spectre.Console;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron tensors</c> for reading: one table row per tensor.</summary>
internal static class TensorsTextWriter
{
    public static void Write(TextWriter stdout, Checkpoint checkpoint)
    {
        var console = ConsoleFactory.Create(stdout);
        console.WriteLine($"{Path.GetFileName(checkpoint.Path)} ({checkpoint.Format}): {Counted.Of(checkpoint.Tensors.Count, "tensor")}, " +
            $"{Counted.Of(checkpoint.Tensors.Sum(t => t.ByteSize), "byte")}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("tensor").AddColumn("shape").AddColumn("dtype").AddColumn(new TableColumn("bytes").RightAligned());
        foreach (var tensor in checkpoint.Tensors)
            table.AddRow(Markup.Escape(tensor.Name), $"[[{string.Join(", ", tensor.Shape)}]]", tensor.StoredAs ?? tensor.DType.Name(), tensor.ByteSize.ToString("N0"));
        console.Write(table);
    }
}
