namespace NeuronKit.Containers.Pickle;

/// <summary>
/// A recorded, never executed, call of an allowlisted function or tensor class (<c>_rebuild_tensor_v2(…)</c>),
/// for the format reader to interpret.
/// </summary>
public sealed class PickleCall(PickleGlobal callable, PickleTuple args) : PickleContainer
{
    /// <summary>The function or class called.</summary>
    public PickleGlobal Callable { get; } = callable;

    /// <summary>The arguments.</summary>
    public PickleTuple Args { get; } = args;

    /// <summary>State given by BUILD, if any (ignored by tensors).</summary>
    public object? State { get; internal set; }
}
