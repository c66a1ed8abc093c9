using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// One weight part of every neuron of a layer, read a range of its weights ("rows") at a time for all neurons at once
/// and laid out neuron by neuron: neuron j's weights r₀.. r₀ + n lie together at j·n. For a layer whose neuron j is
/// column j of a row-major tensor (GPT-2's Conv1D, Keras kernels, ONNX MatMul weights, embeddings, all stored
/// [in, out]) a tile is whole rows, read in one piece and turned; gathered neuron by neuron, a column costs a read per
/// weight (and a quantized block decoded per weight). A layer of rows is read the same way, a piece of each row per
/// tile, so that a file of rows compares with a file of columns tile by tile.
/// </summary>
internal sealed class NeuronTiles
{
    // Rows per tile: about this many bytes of a tile, and no more rows than one kernel block.
    private const long TileBytes = 1 << 20;

    private readonly PartPlan _plan;
    private readonly long _stride;

    private NeuronTiles(PartPlan plan, long count, long rows, long stride, bool columns)
    {
        _plan = plan;
        Count = count;
        Rows = rows;
        _stride = stride;
        IsColumns = columns;
    }

    /// <summary>How many neurons.</summary>
    public long Count { get; }

    /// <summary>How many weights each neuron has in this part.</summary>
    public long Rows { get; }

    /// <summary>True when neuron j is column j (a tile is read in one piece); false for rows (a piece per neuron).</summary>
    public bool IsColumns { get; }

    /// <summary>The element type stored.</summary>
    public DType DType => _plan.DType;

    /// <summary>True when the values widen to float32 exactly (float32, float16, bfloat16), so a tile can be read as floats.</summary>
    public bool IsFloat => DType is DType.Float32 or DType.Float16 or DType.BFloat16;

    /// <summary>How many rows a tile of these neurons should have: about <see cref="TileBytes"/> read, at most a kernel block.</summary>
    public long RowsPerTile => Math.Clamp(TileBytes / ((IsColumns ? _stride : Count) * DType.Size()), 1, MomentsKernel.BlockSize);

    /// <summary>
    /// The tiles of <paramref name="plan"/> when neuron j is column j (neuron j + 1's slice one element on from neuron
    /// j's, with a single stride between its weights that leaves the rows apart), else null.
    /// </summary>
    public static NeuronTiles? TryColumns(PartPlan plan, long count)
    {
        if (plan.Step != 1 || !OneStride(plan, out long rows, out long stride)) return null;
        // Rows must not overlap (a stride of at least the neuron count), and a column must be more than one weight.
        if (stride <= 1 || rows < 2 || stride < count || count > int.MaxValue || stride > int.MaxValue) return null;
        return new NeuronTiles(plan, count, rows, stride, columns: true);
    }

    /// <summary>The tiles of <paramref name="plan"/> when each neuron's slice is contiguous (a row), else null.</summary>
    public static NeuronTiles? TryRows(PartPlan plan, long count)
    {
        if (!OneStride(plan, out long rows, out long stride) || (stride != 1 && rows > 1) || count > int.MaxValue || rows < 1) return null;
        return new NeuronTiles(plan, count, rows, 1, columns: false);
    }

    // The slice's dimensions fold into one: shape [a, b, c] with strides [b·c·s, c·s, s] is [a·b·c] with stride s.
    private static bool OneStride(PartPlan plan, out long rows, out long stride)
    {
        rows = 1;
        stride = 0;
        for (int d = plan.Shape.Count - 1; d >= 0; d--)
        {
            if (plan.Shape[d] == 1) continue;
            if (stride == 0) stride = plan.Strides[d];
            else if (plan.Strides[d] != rows * stride) return false;
            rows *= plan.Shape[d];
        }
        if (rows == 1) stride = 1;
        return stride > 0;
    }

    /// <summary>
    /// Every tile of <paramref name="rows"/> rows, <paramref name="rowsPerTile"/> at a time, measured by
    /// <paramref name="measure"/> (first row, rows, sums per neuron to fill afresh) in waves of one tile per worker, and
    /// merged into <paramref name="sums"/> in row order: the stats' column scan and the diff's column pass share it.
    /// </summary>
    public static void InRowOrder<TSum>(long rows, long rowsPerTile, TSum[] sums, ParallelOptions parallel, Action<long, int, TSum[]> measure)
        where TSum : struct, ITileSum<TSum>
    {
        long tileCount = (rows + rowsPerTile - 1) / rowsPerTile;
        int workers = Math.Max(1, parallel.MaxDegreeOfParallelism);
        var partials = new TSum[workers][];
        for (long first = 0; first < tileCount; first += workers)
        {
            int n = (int)Math.Min(workers, tileCount - first);
            Parallel.For(0, n, parallel, k =>
            {
                long row = (first + k) * rowsPerTile;
                measure(row, (int)Math.Min(rowsPerTile, rows - row), partials[k] ??= new TSum[sums.Length]);
            });
            for (int j = 0; j < sums.Length; j++)
                for (int k = 0; k < n; k++) sums[j].Merge(partials[k][j]);
        }
    }

    /// <summary>
    /// Rows [<paramref name="first"/>, + <paramref name="rows"/>) of every neuron into <paramref name="turned"/>
    /// (<see cref="Count"/>·rows values), neuron j's at j·rows. T is float (only when <see cref="IsFloat"/>) or double.
    /// </summary>
    public void Read<T>(long first, int rows, Span<T> turned) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = DType.Size();
        int count = (int)Count;
        var source = _plan.Storage.Source;
        if (!IsColumns)
        {
            var piece = ArrayPool<byte>.Shared.Rent(rows * size);
            for (int j = 0; j < count; j++)
            {
                source.Read(_plan.ByteStart(j) + first * size, piece.AsSpan(0, rows * size));
                Convert(piece.AsSpan(0, rows * size), turned.Slice(j * rows, rows));
            }
            ArrayPool<byte>.Shared.Return(piece);
            return;
        }
        // One read from the first row's column 0 to the last row's last column, then column j's rows put together.
        int stride = (int)_stride;
        int elements = (rows - 1) * stride + count;
        var bytes = ArrayPool<byte>.Shared.Rent(elements * size);
        var values = ArrayPool<T>.Shared.Rent(elements);
        try
        {
            source.Read(_plan.ByteStart(0) + first * stride * size, bytes.AsSpan(0, elements * size));
            Convert<T>(bytes.AsSpan(0, elements * size), values.AsSpan(0, elements));
            for (int r = 0; r < rows; r++)
            {
                var row = values.AsSpan(r * stride, count);
                for (int j = 0; j < count; j++) turned[j * rows + r] = row[j];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<T>.Shared.Return(values);
        }
    }

    // Stored values to T: float32 as it is or half precision widened (exact); anything to double.
    private void Convert<T>(ReadOnlySpan<byte> bytes, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var floats = MemoryMarshal.Cast<T, float>(destination);
            switch (DType)
            {
                case DType.Float32: MemoryMarshal.Cast<byte, float>(bytes).CopyTo(floats); break;
                case DType.Float16: BlockConversion.Float16(bytes, floats); break;
                case DType.BFloat16: BlockConversion.BFloat16(bytes, floats); break;
                default: throw new InvalidOperationException($"{DType.Name()} is not read as float32");
            }
        }
        else
        {
            DTypeConversion.ToDoubles(DType, bytes, MemoryMarshal.Cast<T, double>(destination));
        }
    }
}
