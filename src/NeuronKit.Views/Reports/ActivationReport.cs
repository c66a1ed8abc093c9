namespace NeuronKit.Views.Reports;

/// <summary><c>neuron act --json</c>: what neuron <see cref="Neuron"/> of a layer output on each input.</summary>
/// <param name="Layer">The layer, as the user named it.</param>
/// <param name="Neuron">The neuron's index, resolved (a negative index counted from the end).</param>
/// <param name="Activations">One entry per input, or per batch item of an input that holds several.</param>
public sealed record ActivationReport(string Layer, long Neuron, IReadOnlyList<ActivationEntryReport> Activations) : IReport;
