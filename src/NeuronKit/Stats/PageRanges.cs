using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// The byte ranges a block of neurons read, one per source and tensor storage, so that they can be released together:
/// one madvise per tensor per block rather than one per row.
/// </summary>
internal sealed class PageRanges
{
    private readonly Dictionary<TensorStorage, (long Start, long End)> _ranges = new(ReferenceEqualityComparer.Instance);

    /// <summary>Widens the range of <paramref name="view"/>'s storage to cover the view, when its bytes are one run.</summary>
    public void Add(TensorView view)
    {
        if (view.ElementCount == 0 || !PartReader.IsContiguous(view)) return;
        long start = PartReader.ByteStart(view), end = start + view.ElementCount * view.DType.Size();
        _ranges[view.Storage] = _ranges.TryGetValue(view.Storage, out var r) ? (Math.Min(r.Start, start), Math.Max(r.End, end)) : (start, end);
    }

    /// <summary>Releases every range (whole pages inside it).</summary>
    public void Release()
    {
        foreach (var (storage, (start, end)) in _ranges) storage.Source.Release(start, end - start);
    }
}
