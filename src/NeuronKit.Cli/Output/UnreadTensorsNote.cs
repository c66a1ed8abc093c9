using NeuronKit.Formats;

namespace NeuronKit.Cli.Output;

/// <summary>
/// The line <c>layers</c> and <c>tensors</c> print under their table when the file holds tensors of types NeuronKit does
/// not read (an HDF5 compound, an ONNX string tensor), which neither table lists: a file of only those would otherwise
/// show 0 layers and no reason.
/// </summary>
internal static class UnreadTensorsNote
{
    // Named ones; the rest are counted.
    private const int Named = 4;

    /// <summary>"not read: 2 tensors of a type NeuronKit does not read: dense.kernel (compound), …", or null when there are none.</summary>
    public static string? Of(Checkpoint checkpoint)
    {
        var unread = checkpoint.Graph.UnreadTensors;
        if (unread.Count == 0) return null;
        string named = string.Join(", ", unread.Take(Named).Select(t => $"{PrintableWriter.OneLine(t.Key)} ({PrintableWriter.OneLine(t.Value)})"));
        return $"not read: {Counted.Of(unread.Count, "tensor")} of a type NeuronKit does not read: {named}" +
            (unread.Count > Named ? $", and {unread.Count - Named:N0} more" : "");
    }
}
