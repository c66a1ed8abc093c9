using System.Globalization;

namespace NeuronKit.Tensors;

/// <summary>
/// One dimension of a <see cref="TensorSlice"/>, in NumPy's basic indexing: a single index (<c>2</c>), which drops the
/// dimension; a range (<c>2:4</c>), which keeps it; or the whole dimension (<c>:</c>).
/// </summary>
public readonly record struct SliceItem
{
    private SliceItem(SliceKind kind, long start, long stop)
    {
        Kind = kind;
        Start = start;
        Stop = stop;
    }

    /// <summary>Which of the three forms this is.</summary>
    public SliceKind Kind { get; }

    /// <summary>The index, or the range's first entry; 0 for the whole dimension.</summary>
    public long Start { get; }

    /// <summary>One past the range's last entry (<see cref="Start"/> + 1 for an index); 0 for the whole dimension, whose size the slice does not know.</summary>
    public long Stop { get; }

    /// <summary>Entry <paramref name="index"/> of the dimension.</summary>
    public static SliceItem At(long index) => new(SliceKind.Index, index, index + 1);

    /// <summary>Entries <paramref name="start"/> to <paramref name="stop"/> - 1 of the dimension.</summary>
    public static SliceItem Range(long start, long stop) => new(SliceKind.Range, start, stop);

    /// <summary>The whole dimension.</summary>
    public static SliceItem All { get; } = new(SliceKind.All, 0, 0);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        SliceKind.Index => Start.ToString(CultureInfo.InvariantCulture),
        SliceKind.Range => string.Create(CultureInfo.InvariantCulture, $"{Start}:{Stop}"),
        _ => ":",
    };
}
