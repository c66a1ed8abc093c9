namespace NeuronKit.Views.Reports;

/// <summary>One run of bytes an edit writes.</summary>
/// <param name="File">The file's name (the model's, or its external data's or shard's).</param>
/// <param name="Offset">Where the run starts.</param>
/// <param name="Length">How many bytes it has.</param>
public sealed record WriteRunReport(string File, long Offset, long Length);
