using NeuronKit.Edits;

namespace NeuronKit.Tensors;

/// <summary>
/// Runs of another source's bytes read as one, in order: an array a format keeps in pieces (Flax splits one over 2^30
/// bytes into chunks) read, edited and copied as if its bytes lay together. A span inside one run is the source's own;
/// one across runs is a copy. The source stays its owner's to dispose.
/// </summary>
internal sealed class JoinedBytes : ByteSource
{
    private readonly ByteSource _source;
    private readonly (long Offset, long Length)[] _runs;
    private readonly long[] _starts;

    /// <summary>Joins <paramref name="runs"/> (offset and length in <paramref name="source"/>, each checked against it) in order.</summary>
    public JoinedBytes(ByteSource source, IReadOnlyList<(long Offset, long Length)> runs)
    {
        _source = source;
        _runs = [.. runs];
        _starts = new long[_runs.Length];
        long at = 0;
        for (int r = 0; r < _runs.Length; r++)
        {
            var (offset, length) = _runs[r];
            if (offset < 0 || length < 0 || offset > source.Length - length)
                throw new ArgumentOutOfRangeException(nameof(runs), $"bytes {offset}..{offset + length} are outside 0..{source.Length}");
            _starts[r] = at;
            at += length;
        }
        Length = at;
    }

    /// <inheritdoc/>
    public override long Length { get; }

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        CheckRange(offset, length);
        int r = Run(offset);
        if (r >= 0 && offset + length <= _starts[r] + _runs[r].Length) return _source.Span(_runs[r].Offset + offset - _starts[r], length);
        var bytes = new byte[length];
        Read(offset, bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        foreach (var (source, at, count) in Pieces(offset, destination.Length))
            _source.Read(source, destination.Slice((int)at, (int)count));
    }

    /// <inheritdoc/>
    public override void CopyTo(long offset, long length, Stream destination)
    {
        CheckRange(offset, length);
        foreach (var (source, _, count) in Pieces(offset, length)) _source.CopyTo(source, count, destination);
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches)
    {
        CheckRange(offset, bytes.Length);
        foreach (var (source, at, count) in Pieces(offset, bytes.Length)) _source.Write(source, bytes.Slice((int)at, (int)count), patches);
    }

    /// <inheritdoc/>
    public override void Prefetch(IReadOnlyList<(long Offset, int Length)> ranges) =>
        _source.Prefetch([.. ranges.SelectMany(r => Pieces(r.Offset, r.Length)).Select(p => (p.Source, (int)p.Count))]);

    /// <inheritdoc/>
    public override bool PrefetchPays => _source.PrefetchPays;

    /// <inheritdoc/>
    public override void Release(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length) return;
        foreach (var (source, _, count) in Pieces(offset, length)) _source.Release(source, count);
    }

    // The runs' pieces of [offset, offset + length): where each lies in the source, where it goes in the caller's
    // bytes, and how long it is.
    private IEnumerable<(long Source, long At, long Count)> Pieces(long offset, long length)
    {
        long done = 0;
        for (int r = Run(offset); done < length; r++)
        {
            long within = offset + done - _starts[r];
            long count = Math.Min(_runs[r].Length - within, length - done);
            if (count <= 0) continue;
            yield return (_runs[r].Offset + within, done, count);
            done += count;
        }
    }

    // The run that starts at or last before offset: the one it lies in, or an empty run at the same start, which Pieces
    // steps over and Span copies around.
    private int Run(long offset)
    {
        int r = Array.BinarySearch(_starts, offset);
        return r >= 0 ? r : ~r - 1;
    }
}
