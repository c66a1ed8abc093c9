using System.Text.Json.Serialization;
using NeuronKit.Neurons;

namespace NeuronKit.Views.Reports;

/// <summary><c>neuron show --json</c>: one neuron with every part and its values, the object DESIGN.md specifies.</summary>
/// <param name="File">The model file's name (no folder).</param>
/// <param name="Format">The format that read it.</param>
/// <param name="Layer">The neuron's layer.</param>
/// <param name="Neuron">The neuron's index.</param>
/// <param name="Parts">Every part, in the layer's order, then through and out parts.</param>
/// <param name="EffectiveBias">A recurrent unit's effective biases; left out of the JSON for other layers.</param>
public sealed record ShowReport(
    string File,
    string Format,
    LayerIdentity Layer,
    long Neuron,
    IReadOnlyList<PartReport> Parts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EffectiveBiasReport? EffectiveBias) : IReport
{
    /// <summary>The report of <paramref name="neuron"/> of <paramref name="model"/> (reads every part's values).</summary>
    public static ShowReport Of(Model model, Neuron neuron) => new(
        model.Checkpoint.FileName,
        model.Checkpoint.Format,
        LayerIdentity.Of(neuron.Layer),
        neuron.Index,
        [.. neuron.Parts.Select(PartReport.Of)],
        EffectiveBiasReport.Of(neuron));
}
