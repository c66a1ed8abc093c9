using System.Text.Json.Serialization;
using NeuronKit.Neurons;

namespace NeuronKit.Views.Reports;

/// <summary>
/// A recurrent unit's effective biases in <c>show --json</c>: <c>{gate: sum or null}</c>, null where the cell does not
/// add the gate's two biases; a bare number for an RNN, whose one block is not a gate. A complex sum is an
/// <c>[re, im]</c> pair, as complex values are.
/// </summary>
/// <param name="Gates">Each gate's name (null for an RNN's one block) and its sum, or null where it does not sum.</param>
[JsonConverter(typeof(EffectiveBiasReportConverter))]
public sealed record EffectiveBiasReport(IReadOnlyList<(string? Gate, NestedValues? Sum)> Gates)
{
    /// <summary>The effective biases of <paramref name="neuron"/>, or null when its layer has none.</summary>
    public static EffectiveBiasReport? Of(Neuron neuron)
    {
        var biases = neuron.EffectiveBiases;
        if (biases.Count == 0) return null;
        return new EffectiveBiasReport([.. biases.Select(bias => (bias.Gate?.Name, Sum(bias)))]);
    }

    private static NestedValues? Sum(EffectiveBias bias) =>
        !bias.Sums ? null
        : bias.IsComplex ? NestedValues.Of([bias.ComplexValue()!.Value], [])
        : NestedValues.Scalar(bias.Value()!.Value);
}
