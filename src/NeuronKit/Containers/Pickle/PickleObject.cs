namespace NeuronKit.Containers.Pickle;

/// <summary>
/// An inert placeholder for an instance of a class that was only constructed (a pickled <c>nn.Module</c>): its
/// class name and the state BUILD gave it. No code of the class exists or runs.
/// </summary>
public sealed class PickleObject(PickleGlobal @class, PickleTuple args) : PickleContainer
{
    /// <summary>The instance's class.</summary>
    public PickleGlobal Class { get; } = @class;

    /// <summary>Arguments given to <c>__new__</c>, usually none.</summary>
    public PickleTuple Args { get; } = args;

    /// <summary>The state set by BUILD: usually the instance's <c>__dict__</c> as a <see cref="PickleDict"/>.</summary>
    public object? State { get; internal set; }
}
