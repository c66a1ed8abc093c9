using System.Numerics;
using System.Runtime.InteropServices;
using NeuronKit.Tensors;

namespace NeuronKit.Adapters;

/// <summary>
/// A base weight with a LoRA update added, W + scale · L·R, as float64 elements in W's row-major order (its first
/// dimension the rows, the rest flattened): each row of W read as it is stored, then the update's row, rank
/// multiply-adds over it. L [rows, rank] and R [rank, columns] are the adapter's B and A (or their transposes, where
/// the update is transposed), read once.
/// </summary>
internal sealed class LoraMergedBytes : DecodedBytes
{
    private readonly TensorView _base;
    private readonly double[] _left, _right;
    private readonly int _rank;
    private readonly long _columns;

    public LoraMergedBytes(TensorView @base, double[] left, double[] right, int rank, double scale)
    {
        _base = @base;
        _rank = rank;
        _columns = @base.ElementCount / @base.Shape[0];
        _left = [.. left.Select(v => v * scale)]; // scale · L: one multiply per element of L, not per element of W
        _right = right;
        Length = @base.ElementCount * sizeof(double);
    }

    /// <inheritdoc/>
    public override long Length { get; }

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        long first = offset / sizeof(double), last = (offset + destination.Length - 1) / sizeof(double);
        var row = new double[_columns];
        int written = 0, skip = (int)(offset - first * sizeof(double));
        for (long r = first / _columns; r <= last / _columns; r++)
        {
            Row(r, row);
            long from = Math.Max(first, r * _columns) - r * _columns, to = Math.Min(last, (r + 1) * _columns - 1) - r * _columns;
            var bytes = MemoryMarshal.AsBytes(row.AsSpan((int)from, (int)(to - from + 1)));
            if (written == 0) bytes = bytes[skip..];
            int n = Math.Min(bytes.Length, destination.Length - written);
            bytes[..n].CopyTo(destination[written..]);
            written += n;
        }
    }

    // Row r of W + scale · L·R: W's row, then the rank's rows of R weighted by L[r, k] added, four at a time (one pass
    // over the row per four, not per one: the row is loaded and stored a quarter as often).
    private void Row(long r, double[] row)
    {
        _base.Select(0, r).CopyTo(row);
        var sum = row.AsSpan();
        var weights = _left.AsSpan((int)(r * _rank), _rank);
        int columns = (int)_columns, k = 0;
        for (; k + 4 <= _rank; k += 4)
        {
            ReadOnlySpan<double> r0 = RightRow(k), r1 = RightRow(k + 1), r2 = RightRow(k + 2), r3 = RightRow(k + 3);
            double w0 = weights[k], w1 = weights[k + 1], w2 = weights[k + 2], w3 = weights[k + 3];
            var (v0, v1, v2, v3) = (new Vector<double>(w0), new Vector<double>(w1), new Vector<double>(w2), new Vector<double>(w3));
            int i = 0;
            for (; i <= columns - Vector<double>.Count; i += Vector<double>.Count)
            {
                var s = new Vector<double>(sum[i..]) + (v0 * new Vector<double>(r0[i..]) + v1 * new Vector<double>(r1[i..]))
                    + (v2 * new Vector<double>(r2[i..]) + v3 * new Vector<double>(r3[i..]));
                s.CopyTo(sum[i..]);
            }
            for (; i < columns; i++) sum[i] += (w0 * r0[i] + w1 * r1[i]) + (w2 * r2[i] + w3 * r3[i]);
        }
        for (; k < _rank; k++)
        {
            var right = RightRow(k);
            double weight = weights[k];
            var factor = new Vector<double>(weight);
            int i = 0;
            for (; i <= columns - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(sum[i..]) + factor * new Vector<double>(right[i..])).CopyTo(sum[i..]);
            for (; i < columns; i++) sum[i] += weight * right[i];
        }
    }

    private ReadOnlySpan<double> RightRow(int k) => _right.AsSpan((int)(k * _columns), (int)_columns);
}
