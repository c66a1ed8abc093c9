using NeuronKit.Tensors;

namespace NeuronKit.Edits;

/// <summary>
/// What a prune removes from one tensor: indices along one or more dimensions (a recurrent layer's weight_hh loses the
/// unit's gate rows and its column). The tensor keeps every other index, in order.
/// </summary>
public sealed class TensorCut
{
    internal TensorCut(TensorInfo tensor, IReadOnlyDictionary<int, SortedSet<long>> removed)
    {
        Tensor = tensor;
        Removed = removed.ToDictionary(r => r.Key, r => (IReadOnlyList<long>)[.. r.Value]);
        Kept = [.. tensor.Shape.Select((size, dim) =>
            (IReadOnlyList<long>)[.. Enumerable.Range(0, checked((int)size)).Select(i => (long)i)
                .Where(i => !removed.TryGetValue(dim, out var gone) || !gone.Contains(i))])];
    }

    /// <summary>A cut of <paramref name="tensor"/> that removes <paramref name="removed"/> along each dimension given.</summary>
    internal static TensorCut Of(TensorInfo tensor, IReadOnlyDictionary<int, IReadOnlyList<long>> removed) =>
        new(tensor, removed.ToDictionary(r => r.Key, r => new SortedSet<long>(r.Value)));

    /// <summary>A cut of <paramref name="tensor"/> that removes <paramref name="removed"/> along dimension <paramref name="dim"/>.</summary>
    internal static TensorCut Along(TensorInfo tensor, int dim, IEnumerable<long> removed) =>
        new(tensor, new Dictionary<int, SortedSet<long>> { [dim] = [.. removed] });

    /// <summary>The tensor as the original file holds it.</summary>
    public TensorInfo Tensor { get; }

    /// <summary>
    /// Layers the prune leaves whole that read this tensor too (an ONNX initializer an exporter shares between parameters
    /// of equal values): a writer that can gives them a copy of it as it was; empty for a tensor only the cut layers read.
    /// </summary>
    public IReadOnlyList<Layers.Layer> KeptBy { get; internal init; } = [];

    /// <summary>The indices removed, per dimension (ascending).</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<long>> Removed { get; }

    /// <summary>The indices kept, per dimension, ascending: every index of an uncut dimension.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Kept { get; }

    /// <summary>The tensor's shape after the cut.</summary>
    public long[] NewShape => [.. Kept.Select(k => (long)k.Count)];

    /// <summary>
    /// The kept elements' values, row-major, as the tensor's view reads them (dequantized where it is quantized): what a
    /// writer re-encodes when it cannot copy stored bytes.
    /// </summary>
    public double[] KeptValues()
    {
        var values = Tensor.View().ToDoubles();
        var kept = new double[NewShape.Aggregate(1L, (n, d) => n * d)];
        var strides = TensorInfo.ContiguousStrides(Tensor.Shape);
        int at = 0;
        foreach (long element in KeptElements(strides)) kept[at++] = values[element];
        return kept;
    }

    /// <summary>
    /// The kept elements' stored bytes, row-major and contiguous, copied as they are (no rounding): for a tensor whose
    /// storage holds its dtype's bytes, or, quantized element by element (a PyTorch qtensor), its stored integers. Throws
    /// <see cref="RequestException"/> for one stored in blocks or decoded (GGUF's quantized rows).
    /// </summary>
    public byte[] KeptBytes()
    {
        using var bytes = new MemoryStream(checked((int)KeptByteLength));
        WriteKeptBytes(bytes);
        return bytes.ToArray();
    }

    /// <summary>The number of bytes <see cref="WriteKeptBytes"/> writes.</summary>
    public long KeptByteLength => checked(NewShape.Aggregate(1L, (n, d) => n * d) * StoredElementSize);

    /// <summary>The bytes of one stored element: the integer's of a quantized tensor, else the dtype's.</summary>
    internal int StoredElementSize => Tensor.Quantization?.IntegerType.Size() ?? Tensor.DType.Size();

    /// <summary>
    /// Writes <see cref="KeptBytes"/> to <paramref name="destination"/> in blocks of at most a megabyte or a row, never
    /// holding the whole tensor: for writers that stream a large tensor into their output.
    /// </summary>
    public void WriteKeptBytes(Stream destination)
    {
        if (Tensor.StoredAs is not null && Tensor.Quantization is null)
            throw new RequestException($"{Tensor.Name} is stored as {Tensor.StoredAs}: its stored bytes cannot be cut element by element");
        if (KeptByteLength == 0) return;
        int size = StoredElementSize;
        int rank = Kept.Count;
        // A quantized tensor's integers sit element for element where its view reads the dequantized values.
        var storage = Tensor.Quantization?.Integers ?? Tensor.Storage;
        long start = storage.ByteOffset + Tensor.StorageOffset * size;
        var source = storage.Source;
        var block = new byte[1 << 20];
        int filled = 0;
        void Put(ReadOnlySpan<byte> bytes)
        {
            if (filled + bytes.Length > block.Length)
            {
                destination.Write(block, 0, filled);
                filled = 0;
            }
            if (bytes.Length > block.Length)
            {
                destination.Write(bytes);
                return;
            }
            bytes.CopyTo(block.AsSpan(filled));
            filled += bytes.Length;
        }
        if (rank > 0 && Tensor.Strides[rank - 1] == 1)
        {
            // Whole rows of the last dimension, one read each, then the kept columns copied as runs: a 4096-wide row is
            // one read whether or not a column of it goes.
            var row = new byte[checked((int)(Tensor.Shape[rank - 1] * size))];
            var runs = Runs(Kept[rank - 1]);
            foreach (long element in new TensorCut(Tensor, Removed, rank - 1).KeptElements(Tensor.Strides))
            {
                source.Read(start + element * size, row);
                foreach (var (first, count) in runs) Put(row.AsSpan((int)(first * size), (int)(count * size)));
            }
        }
        else
        {
            Span<byte> one = stackalloc byte[size];
            foreach (long element in KeptElements(Tensor.Strides))
            {
                source.Read(start + element * size, one);
                Put(one);
            }
        }
        destination.Write(block, 0, filled);
    }

    // Ascending indices as runs of consecutive ones: (first, count).
    private static List<(long First, long Count)> Runs(IReadOnlyList<long> indices)
    {
        var runs = new List<(long First, long Count)>();
        foreach (long i in indices)
        {
            if (runs.Count > 0 && runs[^1].First + runs[^1].Count == i) runs[^1] = (runs[^1].First, runs[^1].Count + 1);
            else runs.Add((i, 1));
        }
        return runs;
    }

    // The same cut seen over the first `rank` dimensions only.
    private TensorCut(TensorInfo tensor, IReadOnlyDictionary<int, IReadOnlyList<long>> removed, int rank)
    {
        Tensor = tensor;
        Removed = removed;
        Kept = [.. tensor.Shape.Take(rank).Select((size, dim) =>
            (IReadOnlyList<long>)[.. Enumerable.Range(0, checked((int)size)).Select(i => (long)i)
                .Where(i => !removed.TryGetValue(dim, out var gone) || !gone.Contains(i))])];
    }

    // The offset (in elements, by the given strides) of every kept element, row-major.
    private IEnumerable<long> KeptElements(IReadOnlyList<long> strides)
    {
        int rank = Kept.Count;
        if (Kept.Any(k => k.Count == 0)) yield break;
        var index = new int[rank];
        while (true)
        {
            long element = 0;
            for (int d = 0; d < rank; d++) element += Kept[d][index[d]] * strides[d];
            yield return element;
            int dim = rank - 1;
            while (dim >= 0 && ++index[dim] == Kept[dim].Count) index[dim--] = 0;
            if (dim < 0) yield break;
        }
    }
}
