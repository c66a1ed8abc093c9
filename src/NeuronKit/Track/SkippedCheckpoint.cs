namespace NeuronKit.Track;

/// <summary>A checkpoint of a run left out because it could not be read (a run skipping unreadable files), and why.</summary>
/// <param name="Path">Its path as given.</param>
/// <param name="Reason">The error that stopped it, naming the path (a <see cref="CheckpointException"/>'s message).</param>
public sealed record SkippedCheckpoint(string Path, string Reason);
