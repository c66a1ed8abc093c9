namespace NeuronKit.Containers.Pickle;

/// <summary>A Python tuple.</summary>
public sealed class PickleTuple(IReadOnlyList<object?> items) : PickleContainer
{
    /// <summary>The items, in order.</summary>
    public IReadOnlyList<object?> Items { get; } = items;

    /// <summary>The number of items.</summary>
    public int Count => Items.Count;

    /// <summary>Item <paramref name="index"/>.</summary>
    public object? this[int index] => Items[index];
}
