namespace NeuronKit.Views.Reports;

/// <summary>A layer <c>prune</c> removes neurons from.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="NeuronsBefore">Its neurons before.</param>
/// <param name="NeuronsAfter">Its neurons after.</param>
/// <param name="Removed">The indices removed.</param>
public sealed record PrunedLayerReport(string Name, string Kind, long NeuronsBefore, long NeuronsAfter, IReadOnlyList<long> Removed);
