namespace NeuronKit.Views.Reports;

/// <summary>One object of the JSON contract, as a command prints it with <c>--json</c>; written by <see cref="ReportJson"/>.</summary>
public interface IReport;
