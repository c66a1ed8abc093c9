namespace NeuronKit.Containers.Pickle;

/// <summary>Caps that keep a hostile pickle from using unbounded time or memory (security-notes T9).</summary>
public sealed record PickleLimits
{
    /// <summary>The defaults: generous for real checkpoints, far below what exhausts a machine.</summary>
    public static readonly PickleLimits Default = new();

    /// <summary>Opcodes executed.</summary>
    public long MaxOpcodes { get; init; } = 50_000_000;

    /// <summary>Memo entries.</summary>
    public int MaxMemo { get; init; } = 10_000_000;

    /// <summary>Values on the stack at once.</summary>
    public int MaxStack { get; init; } = 100_000;

    /// <summary>Open MARKs, and how deeply containers nest.</summary>
    public int MaxDepth { get; init; } = 1_000;
}
