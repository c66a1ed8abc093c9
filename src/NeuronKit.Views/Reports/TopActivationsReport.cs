namespace NeuronKit.Views.Reports;

/// <summary><c>neuron act --inputs DIR --top K --json</c>: the inputs of a folder that activate a neuron most.</summary>
/// <param name="Layer">The layer, as the user named it.</param>
/// <param name="Neuron">The neuron's index, resolved.</param>
/// <param name="By">What ranks them: <c>max</c> or <c>mean</c> of the neuron's output.</param>
/// <param name="Inputs">How many inputs (batch items) were run.</param>
/// <param name="Top">The first K, highest first.</param>
public sealed record TopActivationsReport(string Layer, long Neuron, string By, long Inputs, IReadOnlyList<RankedInputReport> Top) : IReport;
