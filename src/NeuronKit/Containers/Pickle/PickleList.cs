namespace NeuronKit.Containers.Pickle;

/// <summary>A Python list.</summary>
public sealed class PickleList : PickleContainer
{
    /// <summary>The items, in order.</summary>
    public List<object?> Items { get; } = [];
}
