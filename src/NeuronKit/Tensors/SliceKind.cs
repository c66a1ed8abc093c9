namespace NeuronKit.Tensors;

/// <summary>The form of a <see cref="SliceItem"/>.</summary>
public enum SliceKind
{
    /// <summary>A single index: the dimension is dropped.</summary>
    Index,
    /// <summary>A range of entries: the dimension is kept, shorter.</summary>
    Range,
    /// <summary>The whole dimension (<c>:</c>).</summary>
    All,
}
