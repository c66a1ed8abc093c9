namespace NeuronKit.Views.Reports;

/// <summary>One input of a ranking: its name, the score that ranked it, and its output's mean and max.</summary>
public sealed record RankedInputReport(string Input, double Value, double Mean, double Max);
