namespace NeuronKit.Containers.Pickle;

/// <summary>A value that holds other values; its nesting depth is tracked so hostile nesting is capped.</summary>
public abstract class PickleContainer
{
    /// <summary>How deeply values nest inside this one (0 for an empty container).</summary>
    public int Depth { get; internal set; }
}
