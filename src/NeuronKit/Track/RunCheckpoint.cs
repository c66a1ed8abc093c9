namespace NeuronKit.Track;

/// <summary>One checkpoint of a run: its path as given, and the step it was saved at (see <see cref="CheckpointStep"/>), when known.</summary>
public sealed record RunCheckpoint(string Path, long? Step);
