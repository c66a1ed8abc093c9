namespace NeuronKit.Views.Reports;

/// <summary>One input's row of a layer's activation table: the score of each neuron, in neuron order.</summary>
public sealed record InputRowReport(string Input, IReadOnlyList<double> Values);
