using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// Weights of layers whose neuron j is column j of a row-major tensor (GPT-2's Conv1D, Keras kernels and ONNX MatMul
/// weights, all stored [in, out]). Gathered neuron by neuron, a column costs a read per weight; this reads the tensor
/// in tiles of whole rows instead, one read each, turns a tile so that each neuron's weights in it lie together, and
/// measures them with the same kernel, merging each neuron's tiles in row order, tiles measured on all cores.
/// </summary>
internal sealed class ColumnScan
{
    // Rows per tile: about this many bytes of rows, and no more rows than one kernel block.
    private const long TileBytes = 1 << 20;

    private readonly PartPlan _plan;
    private readonly long _count;
    private readonly long _rows;
    private readonly long _rowStride;
    private readonly long _rowsPerTile;

    private ColumnScan(PartPlan plan, long count, long rows, long rowStride)
    {
        _plan = plan;
        _count = count;
        _rows = rows;
        _rowStride = rowStride;
        _rowsPerTile = Math.Clamp(TileBytes / (rowStride * plan.DType.Size()), 1, MomentsKernel.BlockSize);
    }

    /// <summary>
    /// The weights' statistics of each of the <paramref name="count"/> neurons, or null when a weight part is not a
    /// column (neuron j + 1's slice one element on from neuron j's, with a single stride between its weights).
    /// </summary>
    public static Moments[]? TryMeasure(IReadOnlyList<PartPlan> plans, long count, ParallelOptions parallel)
    {
        var weights = plans.Where(p => p.Use == PartUse.Weight).ToList();
        if (weights.Count == 0 || count < 2) return null;
        var scans = new List<ColumnScan>(weights.Count);
        foreach (var plan in weights)
        {
            if (plan.Step != 1 || !OneStride(plan, out long rows, out long stride))
                return null;
            // Rows must not overlap (a stride of at least the neuron count), and a column must be more than one weight.
            if (rows < 2 || stride < count || count > int.MaxValue || stride > int.MaxValue) return null;
            scans.Add(new ColumnScan(plan, count, rows, stride));
        }
        var moments = new Moments[count];
        Array.Fill(moments, Moments.Empty);
        // Parts in order, as a neuron's parts are measured one after the other.
        foreach (var scan in scans) scan.AddTo(moments, parallel);
        return moments;
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
        return stride > 1;
    }

    // Merges this part's tiles into the neurons' moments, in row order: a few tiles measured at once, then merged.
    private void AddTo(Moments[] moments, ParallelOptions parallel)
    {
        long tiles = (_rows + _rowsPerTile - 1) / _rowsPerTile;
        int workers = Math.Max(1, parallel.MaxDegreeOfParallelism);
        var partials = new Moments[workers][];
        for (long first = 0; first < tiles; first += workers)
        {
            int n = (int)Math.Min(workers, tiles - first);
            Parallel.For(0, n, parallel, k => MeasureTile(first + k, partials[k] ??= new Moments[_count]));
            for (long j = 0; j < _count; j++)
                for (int k = 0; k < n; k++) moments[j].Merge(partials[k][j]);
        }
    }

    // Tile t: rows t·rowsPerTile onwards, read in one piece from the first row's column 0 to the last row's last column.
    private void MeasureTile(long t, Moments[] moments)
    {
        long first = t * _rowsPerTile;
        int rows = (int)Math.Min(_rowsPerTile, _rows - first);
        int size = _plan.DType.Size();
        int elements = (int)((rows - 1) * _rowStride + _count);
        var bytes = ArrayPool<byte>.Shared.Rent(elements * size);
        try
        {
            var storage = _plan.Storage;
            storage.Source.Read(storage.ByteOffset + (_plan.Offset + first * _rowStride) * size, bytes.AsSpan(0, elements * size));
            var tile = bytes.AsSpan(0, elements * size);
            switch (_plan.DType)
            {
                case DType.Float32:
                    Measure(MemoryMarshal.Cast<byte, float>(tile), rows, moments);
                    break;
                case DType.Float64:
                    Measure(MemoryMarshal.Cast<byte, double>(tile), rows, moments);
                    break;
                case DType.Float16 or DType.BFloat16:
                    var floats = ArrayPool<float>.Shared.Rent(elements);
                    if (_plan.DType == DType.Float16) BlockConversion.Float16(tile, floats.AsSpan(0, elements));
                    else BlockConversion.BFloat16(tile, floats.AsSpan(0, elements));
                    Measure<float>(floats.AsSpan(0, elements), rows, moments);
                    ArrayPool<float>.Shared.Return(floats);
                    break;
                default:
                    var doubles = ArrayPool<double>.Shared.Rent(elements);
                    DTypeConversion.ToDoubles(_plan.DType, tile, doubles.AsSpan(0, elements));
                    Measure<double>(doubles.AsSpan(0, elements), rows, moments);
                    ArrayPool<double>.Shared.Return(doubles);
                    break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    // Turns the tile (row r's column j at r·rowStride + j) so that column j's rows lie together, then measures each.
    private void Measure<T>(ReadOnlySpan<T> tile, int rows, Moments[] moments) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = (int)_count, stride = (int)_rowStride;
        var turned = ArrayPool<T>.Shared.Rent(rows * count);
        for (int r = 0; r < rows; r++)
        {
            var row = tile.Slice(r * stride, count);
            for (int j = 0; j < count; j++) turned[j * rows + r] = row[j];
        }
        for (int j = 0; j < count; j++)
        {
            moments[j] = Moments.Empty;
            MomentsKernel.Add<T>(turned.AsSpan(j * rows, rows), ref moments[j]);
        }
        ArrayPool<T>.Shared.Return(turned);
    }
}
