using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// Every neuron's outgoing sum of squares at once: each consumer tensor is read once, in blocks of whole rows (one read
/// each), and each neuron's squares are added as its slice goes by, in the order its part's values come (row by row,
/// parts in order), so the sums are bit for bit those of reading neuron by neuron. Where neuron j's slice is column
/// c + j of every row (a Linear, an LSTM gate), a row adds to all neurons at once, in vector lanes.
/// </summary>
internal static class OutgoingScan
{
    // Rows per read: about this many bytes, as a block of plain stats.
    private const long BytesPerBlock = 256 << 10;

    // A row longer than this is not buffered; the caller reads neuron by neuron instead.
    private const long MaxRowBytes = 8 << 20;

    // One neuron's slice: values Offset + r·stride + [0, Width) of its storage, for r in [0, Rows).
    private readonly record struct Slice(long Offset, long Rows, long Width);

    /// <summary>
    /// Each neuron's (L2, all zero) over <paramref name="parts"/> (neuron j's out parts, in order), or null when they do
    /// not take that shape: a different number of parts per neuron, the parts at one position from different tensors, a
    /// slice that is not rows of a run of columns, a dtype other than float32, float16 or bfloat16.
    /// </summary>
    public static (double L2, bool AllZero)[]? TryMeasure(NeuronPart[][] parts)
    {
        int count = parts.Length;
        if (count == 0 || !BitConverter.IsLittleEndian || parts.Any(p => p.Length != parts[0].Length)) return null;
        var positions = new List<Position>(parts[0].Length);
        for (int p = 0; p < parts[0].Length; p++)
        {
            if (Position.TryCreate(parts, p) is not { } position) return null;
            positions.Add(position);
        }
        var sums = new double[count];
        foreach (var position in positions) position.AddSquares(sums);
        // A nonzero float32, float16 or bfloat16 squares to at least 2^-298 in double: a sum is 0 only when every value is.
        return [.. sums.Select(s => (Math.Sqrt(s), s == 0))];
    }

    // The parts at one position of every neuron's list: slices of one tensor, read as rows of Stride values from Base on.
    private sealed class Position
    {
        private readonly TensorStorage _storage;
        private readonly DType _dtype;
        private readonly Slice[] _slices;
        private readonly long _base;
        private readonly long _stride;
        private readonly long _rows;
        private readonly long _end;
        private readonly bool _lanes;

        private Position(TensorStorage storage, DType dtype, Slice[] slices, long stride)
        {
            _storage = storage;
            _dtype = dtype;
            _slices = slices;
            _stride = stride;
            var present = slices.Where(s => s.Rows > 0 && s.Width > 0).ToList();
            _base = present.Count == 0 ? 0 : present.Min(s => s.Offset);
            _end = present.Count == 0 ? 0 : present.Max(s => s.Offset + (s.Rows - 1) * stride + s.Width);
            _rows = (_end - _base + stride - 1) / stride;
            // Column c + j of the same rows for every neuron j: one vector add per row.
            _lanes = present.Count == slices.Length && slices.All(s => s.Width == 1 && s.Rows == slices[0].Rows
                && (s.Offset - _base) / stride == (slices[0].Offset - _base) / stride)
                && slices.Select((s, j) => s.Offset - j).Distinct().Count() == 1;
        }

        public static Position? TryCreate(NeuronPart[][] parts, int p)
        {
            var first = parts[0][p].View;
            if (first.DType is not (DType.Float32 or DType.Float16 or DType.BFloat16)) return null;
            var slices = new Slice[parts.Length];
            long stride = 0;
            for (int j = 0; j < parts.Length; j++)
            {
                var view = parts[j][p].View;
                if (view.Storage != first.Storage || view.DType != first.DType || !TryFold(view, out var slice, out long rowStride))
                    return null;
                if (slice.Rows > 1 && stride != 0 && rowStride != stride) return null;
                if (slice.Rows > 1) stride = rowStride;
                slices[j] = slice;
            }
            // Slices of one row each (GPT-2's c_proj.weight[j]) are read as rows as wide as the widest.
            if (stride == 0) stride = Math.Max(1, slices.Max(s => s.Width));
            long low = slices.Where(s => s.Rows > 0 && s.Width > 0).Select(s => s.Offset).DefaultIfEmpty(0).Min();
            // Each slice's run must lie within one row of the scan, so that a row holds it whole.
            if (slices.Any(s => s.Rows > 0 && s.Width > 0 && (s.Offset - low) % stride + s.Width > stride)) return null;
            if (stride * first.DType.Size() > MaxRowBytes) return null;
            return new Position(first.Storage, first.DType, slices, stride);
        }

        // The view as rows of a run: trailing dimensions that lie one after another fold into the run's width, and at
        // most one dimension is left, whose stride, at least the width, steps from row to row.
        private static bool TryFold(TensorView view, out Slice slice, out long stride)
        {
            slice = default;
            stride = 0;
            long width = 1, rows = 1;
            int d = view.Shape.Count - 1;
            for (; d >= 0 && (view.Shape[d] == 1 || view.Strides[d] == width); d--) width *= view.Shape[d];
            for (; d >= 0; d--)
            {
                if (view.Shape[d] == 1) continue;
                if (rows != 1 || view.Strides[d] < width) return false;
                rows = view.Shape[d];
                stride = view.Strides[d];
            }
            slice = new Slice(view.StorageOffset, rows, width);
            return true;
        }

        public void AddSquares(double[] sums)
        {
            if (_end <= _base) return;
            int size = _dtype.Size();
            long rowsPerBlock = Math.Max(1, BytesPerBlock / (_stride * size));
            int capacity = (int)(Math.Min(rowsPerBlock, _rows) * _stride);
            var bytes = ArrayPool<byte>.Shared.Rent(capacity * size);
            var floats = _dtype == DType.Float32 ? null : ArrayPool<float>.Shared.Rent(capacity);
            try
            {
                for (long first = 0; first < _rows; first += rowsPerBlock)
                {
                    long last = Math.Min(first + rowsPerBlock, _rows);
                    long start = _base + first * _stride;
                    int n = (int)(Math.Min(_base + last * _stride, _end) - start);
                    var block = bytes.AsSpan(0, n * size);
                    _storage.Source.Read(_storage.ByteOffset + start * size, block);
                    ReadOnlySpan<float> values = _dtype switch
                    {
                        DType.Float32 => MemoryMarshal.Cast<byte, float>(block),
                        DType.Float16 => Widen(BlockConversion.Float16, block, floats!.AsSpan(0, n)),
                        _ => Widen(BlockConversion.BFloat16, block, floats!.AsSpan(0, n)),
                    };
                    if (_lanes) AddRowsInLanes(values, first, last, sums);
                    else AddRows(values, first, last, sums);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
                if (floats is not null) ArrayPool<float>.Shared.Return(floats);
            }
        }

        private static ReadOnlySpan<float> Widen(BlockWidening widen, ReadOnlySpan<byte> block, Span<float> floats)
        {
            widen(block, floats);
            return floats;
        }

        // Rows [first, last) of the scan, whose values start at values[0]: each neuron's run in each of its rows, in order.
        private void AddRows(ReadOnlySpan<float> values, long first, long last, double[] sums)
        {
            for (int j = 0; j < _slices.Length; j++)
            {
                var s = _slices[j];
                if (s.Width == 0) continue;
                long row0 = (s.Offset - _base) / _stride, column = (s.Offset - _base) % _stride;
                double sum = sums[j];
                for (long r = Math.Max(first, row0); r < Math.Min(last, row0 + s.Rows); r++)
                    foreach (float v in values.Slice((int)((r - first) * _stride + column), (int)s.Width))
                        sum += (double)v * v;
                sums[j] = sum;
            }
        }

        // The same when neuron j's run is column c + j of the same rows: each row adds its squares to all sums at once,
        // four rows per pass over the sums (added one row after the other, so each sum still adds in row order).
        private void AddRowsInLanes(ReadOnlySpan<float> values, long first, long last, double[] sums)
        {
            long row0 = (_slices[0].Offset - _base) / _stride, column = (_slices[0].Offset - _base) % _stride;
            long from = Math.Max(first, row0), to = Math.Min(last, row0 + _slices[0].Rows);
            int count = sums.Length, stride = (int)_stride;
            var all = sums.AsSpan();
            var lanes = MemoryMarshal.Cast<double, Vector<double>>(all);
            // Vector.Widen splits a float vector into two double vectors: lanes advance two at a time.
            int vectors = Vector.IsHardwareAccelerated ? count / Vector<float>.Count * Vector<float>.Count : 0;
            long r = from;
            for (; r + 4 <= to; r += 4)
            {
                var rows = values[(int)((r - first) * _stride + column)..];
                for (int i = 0; i < vectors; i += Vector<float>.Count)
                {
                    int k = i / Vector<double>.Count;
                    Vector<double> low = lanes[k], high = lanes[k + 1];
                    for (int q = 0; q < 4; q++)
                    {
                        Vector.Widen(new Vector<float>(rows[(q * stride + i)..]), out var l, out var h);
                        // Multiply, then add: no fused multiply-add, so each sum rounds as the scalar loop's does.
                        low += l * l;
                        high += h * h;
                    }
                    lanes[k] = low;
                    lanes[k + 1] = high;
                }
                for (int i = vectors; i < count; i++)
                    for (int q = 0; q < 4; q++) all[i] += (double)rows[q * stride + i] * rows[q * stride + i];
            }
            for (; r < to; r++)
            {
                var row = values.Slice((int)((r - first) * _stride + column), count);
                for (int i = 0; i < vectors; i += Vector<float>.Count)
                {
                    Vector.Widen(new Vector<float>(row[i..]), out var l, out var h);
                    int k = i / Vector<double>.Count;
                    lanes[k] += l * l;
                    lanes[k + 1] += h * h;
                }
                for (int i = vectors; i < count; i++) all[i] += (double)row[i] * row[i];
            }
        }
    }

    private delegate void BlockWidening(ReadOnlySpan<byte> source, Span<float> destination);
}
