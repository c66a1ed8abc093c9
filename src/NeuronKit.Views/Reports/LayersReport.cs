namespace NeuronKit.Views.Reports;

/// <summary><c>neuron layers --json</c>: every layer of a model with its tensors, layout, evidence and consumers.</summary>
/// <param name="File">The model file's name (no folder).</param>
/// <param name="Format">The format that read it.</param>
/// <param name="Layers">Every layer, in the model's order.</param>
public sealed record LayersReport(string File, string Format, IReadOnlyList<LayerReport> Layers) : IReport
{
    /// <summary>The layers of <paramref name="model"/>.</summary>
    public static LayersReport Of(Model model) => new(
        model.Checkpoint.FileName,
        model.Checkpoint.Format,
        [.. model.Layers.Select(layer => LayerReport.Of(model, layer))]);
}
