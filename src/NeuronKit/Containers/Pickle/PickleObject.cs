namespace NeuronKit.Containers.Pickle;

/// <summary>
/// An inert placeholder for an instance of a class that was only constructed (a pickled <c>nn.Module</c>): its
/// class name, the state BUILD gave it, and the items SETITEMS or APPENDS gave it when the class subclasses dict or list
/// (Lightning's <c>AttributeDict</c>, an <c>EasyDict</c>). No code of the class exists or runs.
/// </summary>
public sealed class PickleObject(PickleGlobal @class, PickleTuple args) : PickleContainer
{
    /// <summary>The instance's class.</summary>
    public PickleGlobal Class { get; } = @class;

    /// <summary>Arguments given to <c>__new__</c>, usually none.</summary>
    public PickleTuple Args { get; } = args;

    /// <summary>The state set by BUILD: usually the instance's <c>__dict__</c> as a <see cref="PickleDict"/>.</summary>
    public object? State { get; internal set; }

    /// <summary>The entries SETITEMS gave it, as a dict subclass's pickle does; null when none.</summary>
    public PickleDict? Items { get; internal set; }

    /// <summary>The items APPENDS gave it, as a list subclass's pickle does; null when none.</summary>
    public PickleList? Elements { get; internal set; }
}
