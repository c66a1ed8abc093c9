namespace NeuronKit.Tensors;

/// <summary>
/// A basic-indexing slice of a tensor as stored, one item per leading dimension (<c>[2]</c>, <c>[:, 3]</c>, <c>[2:4, 1]</c>,
/// <c>[0, 0, 5]</c>); the empty slice of a scalar prints as NumPy's <c>[()]</c>. The structure is the data: its text is
/// made from it, and so is its view, so the two cannot disagree.
/// </summary>
public sealed class TensorSlice
{
    /// <summary>Makes the slice of <paramref name="items"/>, one per leading dimension.</summary>
    public TensorSlice(params IReadOnlyList<SliceItem> items) => Items = items;

    /// <summary>The slice's items, one per leading dimension; dimensions past them are taken whole.</summary>
    public IReadOnlyList<SliceItem> Items { get; }

    /// <summary>Row <paramref name="row"/>: <c>[row]</c>.</summary>
    public static TensorSlice Row(long row) => new(SliceItem.At(row));

    /// <summary>Column <paramref name="column"/>: <c>[:, column]</c>.</summary>
    public static TensorSlice Column(long column) => new(SliceItem.All, SliceItem.At(column));

    /// <summary>The slice of <paramref name="view"/> this describes, as a view of the same storage.</summary>
    public TensorView Apply(TensorView view)
    {
        int dim = 0;
        foreach (var item in Items)
        {
            switch (item.Kind)
            {
                case SliceKind.Index:
                    view = view.Select(dim, item.Start);
                    break;
                case SliceKind.Range:
                    view = view.Narrow(dim++, item.Start, item.Stop - item.Start);
                    break;
                default:
                    dim++;
                    break;
            }
        }
        return view;
    }

    /// <inheritdoc/>
    public override string ToString() => Items.Count == 0 ? "[()]" : $"[{string.Join(", ", Items)}]";
}
