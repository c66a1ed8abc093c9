using System.Numerics;
using System.Runtime.InteropServices;
using NeuronKit.Edits;

namespace NeuronKit.Tensors;

/// <summary>
/// A lazy, strided window on a tensor's storage. Selecting and narrowing only change offsets; values are read
/// from the mapped bytes when asked for, and only the bytes the view covers.
/// </summary>
public sealed class TensorView
{
    private readonly long[] _shape;
    private readonly long[] _strides;

    internal TensorView(TensorStorage storage, DType dtype, long[] shape, long[] strides, long storageOffset)
    {
        Storage = storage;
        DType = dtype;
        _shape = shape;
        _strides = strides;
        StorageOffset = storageOffset;
    }

    /// <summary>The storage the view reads from.</summary>
    public TensorStorage Storage { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The size of each dimension.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The step, in elements, between neighbours along each dimension.</summary>
    public IReadOnlyList<long> Strides => _strides;

    /// <summary>Where element [0, …] is, in elements from the start of the storage.</summary>
    public long StorageOffset { get; }

    /// <summary>The number of elements.</summary>
    public long ElementCount
    {
        get
        {
            // A loop, not Aggregate: the statistics ask this of every neuron's parts.
            long count = 1;
            foreach (long d in _shape) count *= d;
            return count;
        }
    }

    /// <summary>Where each element of the view is, in elements from the start of the storage, row-major.</summary>
    internal long[] StorageElements()
    {
        var elements = new long[checked((int)ElementCount)];
        var index = new long[_shape.Length];
        for (int i = 0; i < elements.Length; i++)
        {
            long element = StorageOffset;
            for (int d = 0; d < index.Length; d++) element += index[d] * _strides[d];
            elements[i] = element;
            for (int d = index.Length - 1; d >= 0 && ++index[d] == _shape[d]; d--) index[d] = 0;
        }
        return elements;
    }

    /// <summary>The view with its dimensions in the order <paramref name="axes"/> gives (PyTorch's <c>permute</c>): the same elements.</summary>
    public TensorView Permute(IReadOnlyList<int> axes)
    {
        if (axes.Count != _shape.Length || axes.Order().Where((a, i) => a != i).Any())
            throw new ArgumentException($"[{string.Join(", ", axes)}] is no order of a view's {_shape.Length} dimensions", nameof(axes));
        return new TensorView(Storage, DType, [.. axes.Select(a => _shape[a])], [.. axes.Select(a => _strides[a])], StorageOffset);
    }

    /// <summary>The view with dimension <paramref name="dim"/> fixed at <paramref name="index"/> (PyTorch's <c>select</c>).</summary>
    public TensorView Select(int dim, long index)
    {
        CheckIndex(dim, index, 1);
        return new TensorView(Storage, DType, [.. _shape[..dim], .. _shape[(dim + 1)..]],
            [.. _strides[..dim], .. _strides[(dim + 1)..]], StorageOffset + index * _strides[dim]);
    }

    /// <summary>The view of <paramref name="length"/> entries of dimension <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public TensorView Narrow(int dim, long start, long length)
    {
        CheckIndex(dim, start, length);
        long[] shape = [.. _shape];
        shape[dim] = length;
        return new TensorView(Storage, DType, shape, [.. _strides], StorageOffset + start * _strides[dim]);
    }

    /// <summary>
    /// Every element, row-major, converted exactly to double; throws <see cref="RequestException"/> for a complex dtype
    /// (see <see cref="ToComplex"/>).
    /// </summary>
    public double[] ToDoubles()
    {
        var values = new double[checked((int)ElementCount)];
        CopyTo(values);
        return values;
    }

    /// <summary>Every element, row-major, as float (exact for float32, float16 and bfloat16).</summary>
    public float[] ToFloats()
    {
        var doubles = ToDoubles();
        var floats = new float[doubles.Length];
        for (int i = 0; i < doubles.Length; i++) floats[i] = (float)doubles[i];
        return floats;
    }

    /// <summary>
    /// Every element, row-major, as a complex number: exact for complex64 and complex128, and a real dtype's values
    /// with imaginary part 0.
    /// </summary>
    public Complex[] ToComplex()
    {
        var values = new Complex[checked((int)ElementCount)];
        CopyTo(values);
        return values;
    }

    /// <summary>
    /// Every element's bytes as stored (its dtype's little-endian encoding), row-major: exact for every dtype, an int64
    /// beyond 2^53 included, as no conversion through double is.
    /// </summary>
    public byte[] ToStoredBytes()
    {
        var bytes = new byte[checked(ElementCount * DType.Size())];
        var span = bytes.AsSpan();
        switch (DType.Size())
        {
            case 1: Gather(span, Copy); break;
            case 2: Gather(MemoryMarshal.Cast<byte, ushort>(span), Copy); break;
            case 4: Gather(MemoryMarshal.Cast<byte, uint>(span), Copy); break;
            case 8: Gather(MemoryMarshal.Cast<byte, ulong>(span), Copy); break;
            case 16: Gather(MemoryMarshal.Cast<byte, UInt128>(span), Copy); break;
            default: throw new NotSupportedException($"{DType} elements of {DType.Size()} bytes");
        }
        return bytes;
    }

    // One run of elements, their bytes as they are.
    private static void Copy<T>(DType dtype, ReadOnlySpan<byte> source, Span<T> destination) where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(source).CopyTo(destination);

    /// <summary>Writes every element, row-major, into <paramref name="destination"/>; refuses a complex dtype.</summary>
    public void CopyTo(Span<double> destination) => CopyTo(destination, SparseExtent);

    /// <summary>
    /// As <see cref="CopyTo(Span{double})"/>, a strided view read through the file's mapping whenever its extent is at
    /// most <paramref name="mappedExtent"/> bytes (beyond it, value by value): for a caller that reads many such views of
    /// one extent, the columns of one tensor, whose pages each later view then finds mapped.
    /// </summary>
    internal void CopyTo(Span<double> destination, long mappedExtent)
    {
        if (DType.IsComplex()) throw DTypeConversion.NotReal(DType);
        Gather(destination, DTypeConversion.ToDoubles, mappedExtent);
    }

    /// <summary>Writes every element, row-major, into <paramref name="destination"/> as complex numbers.</summary>
    public void CopyTo(Span<Complex> destination) => Gather(destination, DTypeConversion.ToComplex);

    /// <summary>
    /// Plans writing <paramref name="values"/> (row-major, one per element) over the view's elements, encoded as its
    /// dtype and then as its storage keeps them (<see cref="ByteSource.Write"/>); nothing is written until the patches are.
    /// </summary>
    public void Write(ReadOnlySpan<double> values, PatchSet patches)
    {
        if (values.Length != ElementCount)
            throw new ArgumentException($"{values.Length} values for a view of {ElementCount} elements");
        if (DType.IsComplex()) throw DTypeConversion.NotReal(DType);
        int size = DType.Size();
        int rank = _shape.Length;
        long inner = rank == 0 ? 1 : _shape[rank - 1];
        bool contiguous = rank == 0 || _strides[rank - 1] == 1 || inner == 1;
        long run = contiguous ? inner : 1;
        var bytes = new byte[checked(run * size)];
        int done = 0;
        foreach (long element in RunStarts(run))
        {
            DTypeConversion.FromDoubles(DType, values.Slice(done, (int)run), bytes);
            Storage.Source.Write(Storage.ByteOffset + element * size, bytes, patches);
            done += (int)run;
        }
    }

    // The storage element each run of `run` contiguous elements starts at, row-major.
    private IEnumerable<long> RunStarts(long run)
    {
        if (ElementCount == 0) yield break;
        long[] shape = run == 1 || _shape.Length == 0 ? _shape : _shape[..^1];
        var index = new long[shape.Length];
        while (true)
        {
            long element = StorageOffset;
            for (int d = 0; d < index.Length; d++) element += index[d] * _strides[d];
            yield return element;
            int dim = index.Length - 1;
            while (dim >= 0 && ++index[dim] == shape[dim]) index[dim--] = 0;
            if (dim < 0) yield break;
        }
    }

    // Above this extent, a strided run is read element by element (see Gather).
    private const long SparseExtent = 1 << 20;

    // Above this many elements, a sparse gather is not announced to its source element by element (see ElementRanges).
    private const long MaxPrefetchedElements = 1 << 22;

    // Every element's bytes, in the order Gather reads them: announced to the source first, so that one over HTTP fetches
    // them in a few requests instead of one round trip per element.
    private List<(long Offset, int Length)> ElementRanges(int size)
    {
        var ranges = new List<(long, int)>((int)ElementCount);
        var index = new long[_shape.Length];
        for (long n = 0; n < ElementCount; n++)
        {
            long element = StorageOffset;
            for (int d = 0; d < index.Length; d++) element += index[d] * _strides[d];
            ranges.Add((Storage.ByteOffset + element * size, size));
            for (int dim = index.Length - 1; dim >= 0 && ++index[dim] == _shape[dim]; dim--) index[dim] = 0;
        }
        return ranges;
    }

    private delegate void Conversion<T>(DType dtype, ReadOnlySpan<byte> source, Span<T> destination);

    // Walks the view row by row, converting each run of the innermost dimension in one call.
    private void Gather<T>(Span<T> destination, Conversion<T> convert, long mappedExtent = SparseExtent)
    {
        if (destination.Length < ElementCount)
            throw new ArgumentException($"destination holds {destination.Length} values; the view has {ElementCount}");
        if (ElementCount == 0) return;
        int size = DType.Size();
        int rank = _shape.Length;
        long inner = rank == 0 ? 1 : _shape[rank - 1];
        long innerStride = rank == 0 ? 1 : _strides[rank - 1];
        var index = new long[Math.Max(rank - 1, 0)];
        // The whole extent of the view as one span: one length check for the lot, not one per element of a column.
        long last = StorageOffset;
        for (int d = 0; d < rank; d++) last += (_shape[d] - 1) * _strides[d];
        long low = Storage.ByteOffset + StorageOffset * size, extentLength = (last - StorageOffset + 1) * size;
        // A strided run over a large extent (a column of a big matrix: one element per row) is read element by element
        // with pread, not through the mapping, which would map every page it crosses into the process.
        bool sparse = innerStride != 1 && inner > 1 && extentLength > mappedExtent;
        bool whole = extentLength <= int.MaxValue && !sparse;
        var extent = whole ? Storage.Source.Span(low, (int)extentLength) : default;
        if (sparse && Storage.Source.PrefetchPays && ElementCount <= MaxPrefetchedElements) Storage.Source.Prefetch(ElementRanges(size));
        Span<byte> one = stackalloc byte[sparse ? size : 0];
        int written = 0;
        while (true)
        {
            long element = StorageOffset;
            for (int d = 0; d < index.Length; d++) element += index[d] * _strides[d];
            long byteOffset = Storage.ByteOffset + element * size;
            if (innerStride == 1 || inner == 1)
            {
                // A contiguous run: one span, converted in bulk.
                int length = checked((int)(inner * size));
                convert(DType, whole ? extent.Slice((int)(byteOffset - low), length) : Storage.Source.Span(byteOffset, length),
                    destination.Slice(written, (int)inner));
            }
            else if (innerStride == 0)
            {
                // One value repeated (an expand()ed dimension): converted once, then copied along the run.
                var run = destination.Slice(written, (int)inner);
                convert(DType, whole ? extent.Slice((int)(byteOffset - low), size) : Storage.Source.Span(byteOffset, size), run[..1]);
                run.Fill(run[0]);
            }
            else
            {
                for (long i = 0; i < inner; i++)
                {
                    long at = byteOffset + i * innerStride * size;
                    if (sparse) Storage.Source.Read(at, one);
                    convert(DType, sparse ? one : whole ? extent.Slice((int)(at - low), size) : Storage.Source.Span(at, size),
                        destination.Slice(written + (int)i, 1));
                }
            }
            written += (int)inner;
            int dim = index.Length - 1;
            while (dim >= 0 && ++index[dim] == _shape[dim]) index[dim--] = 0;
            if (dim < 0) return;
        }
    }

    private void CheckIndex(int dim, long start, long length)
    {
        if (dim < 0 || dim >= _shape.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} of a {_shape.Length}-d view");
        if (start < 0 || length < 0 || start > _shape[dim] - length)
            throw new ArgumentOutOfRangeException(nameof(start), $"{start}..{start + length} of dimension {dim} with size {_shape[dim]}");
    }
}
