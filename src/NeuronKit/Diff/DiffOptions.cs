namespace NeuronKit.Diff;

/// <summary>How <see cref="ModelDiff.Compute(Model, Model, DiffOptions?)"/> runs.</summary>
public sealed record DiffOptions
{
    /// <summary>Worker threads; 0 or less means one per core.</summary>
    public int Parallelism { get; init; }

    /// <summary>Called from worker threads with the bytes (of both files) each finished block of neurons read; for progress bars.</summary>
    public Action<long>? Progress { get; init; }
}
