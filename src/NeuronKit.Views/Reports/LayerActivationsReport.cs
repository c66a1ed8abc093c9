namespace NeuronKit.Views.Reports;

/// <summary>
/// <c>neuron act --inputs DIR --all --json</c>: every neuron of a layer on every input, an [inputs × neurons] table of
/// each neuron's max (or mean) output; a neuron whose column is never above 0 is dead on these inputs.
/// </summary>
/// <param name="Layer">The layer, as the user named it.</param>
/// <param name="By">What each cell is: <c>max</c> or <c>mean</c> of the neuron's output on that input.</param>
/// <param name="Neurons">The layer's neuron count (the table's columns).</param>
/// <param name="Rows">One row per input (batch item), in the folder's order.</param>
/// <param name="Dead">The neurons never above 0 on any input.</param>
public sealed record LayerActivationsReport(string Layer, string By, long Neurons, IReadOnlyList<InputRowReport> Rows, IReadOnlyList<long> Dead) : IReport;
