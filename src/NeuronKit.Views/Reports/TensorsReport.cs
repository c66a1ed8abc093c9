using NeuronKit.Formats;

namespace NeuronKit.Views.Reports;

/// <summary><c>neuron tensors --json</c>: every tensor of a file as stored, with no layer interpretation.</summary>
/// <param name="File">The file's name (no folder).</param>
/// <param name="Format">The format that read it.</param>
/// <param name="Tensors">Every tensor, in the file's order.</param>
public sealed record TensorsReport(string File, string Format, IReadOnlyList<TensorReport> Tensors) : IReport
{
    /// <summary>The tensors of <paramref name="checkpoint"/>.</summary>
    public static TensorsReport Of(Checkpoint checkpoint) =>
        new(checkpoint.FileName, checkpoint.Format, [.. checkpoint.Tensors.Select(TensorReport.Of)]);
}
