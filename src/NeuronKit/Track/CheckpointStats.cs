using NeuronKit.Stats;

namespace NeuronKit.Track;

/// <summary>The statistics of one checkpoint of a run. The checkpoint's file is closed once the next one is asked for.</summary>
public sealed record CheckpointStats(RunCheckpoint Checkpoint, ModelStats Stats);
