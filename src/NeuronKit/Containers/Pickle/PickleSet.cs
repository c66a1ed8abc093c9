namespace NeuronKit.Containers.Pickle;

/// <summary>A Python set or frozenset, kept in the order its items were pickled.</summary>
public sealed class PickleSet(bool frozen) : PickleContainer
{
    /// <summary>True for a frozenset, which ADDITEMS may not grow.</summary>
    public bool Frozen { get; } = frozen;

    /// <summary>The items, in pickled order.</summary>
    public List<object?> Items { get; } = [];
}
