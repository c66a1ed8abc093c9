using NeuronKit.Formats;
using NeuronKit.Tensors;
using Spectre.Console;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron tensors</c> for reading: one table row per tensor, and under a weight read from several of the file's
/// tensors (a GPTQ weight from its qweight, qzeros, scales and g_idx) one indented row for each of those.
/// </summary>
internal static class TensorsTextWriter
{
    public static void Write(TextWriter stdout, Checkpoint checkpoint)
    {
        var console = ConsoleFactory.Create(stdout);
        int stored = checkpoint.Tensors.Sum(t => Math.Max(1, t.StoredParts.Count));
        console.WriteLine($"{checkpoint.FileName} ({checkpoint.Format}): {Counted.Of(checkpoint.Tensors.Count, "tensor")}" +
            $"{(stored == checkpoint.Tensors.Count ? "" : $" read from {stored:N0} stored")}, {Counted.Of(checkpoint.Tensors.Sum(t => t.ByteSize), "byte")}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("tensor").AddColumn("shape").AddColumn("dtype").AddColumn(new TableColumn("bytes").RightAligned());
        foreach (var tensor in checkpoint.Tensors)
        {
            AddRow(table, tensor, "");
            foreach (var part in tensor.StoredParts) AddRow(table, part, "  ");
        }
        console.Write(table);
        if (UnreadTensorsNote.Of(checkpoint) is { } unread) stdout.WriteLine(unread);
    }

    private static void AddRow(Table table, TensorInfo tensor, string indent) =>
        table.AddRow(indent + Markup.Escape(PrintableWriter.OneLine(tensor.Name)), $"[[{string.Join(", ", tensor.Shape)}]]", tensor.StoredAs ?? tensor.DType.Name(), tensor.ByteSize.ToString("N0"));
}
