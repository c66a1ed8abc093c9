namespace NeuronKit.Remote;

/// <summary>
/// Recently fetched ranges of a remote file, least recently used dropped first once they exceed a byte budget. Spans
/// handed out are over the ranges' own arrays, which stay alive as long as a span does, so dropping one is always safe.
/// </summary>
internal sealed class RangeCache(long capacity)
{
    private readonly LinkedList<Chunk> _chunks = new();
    private long _bytes;

    private sealed record Chunk(long Start, byte[] Data)
    {
        public long End => Start + Data.Length;
    }

    /// <summary>The cached bytes [offset, offset + length), when one range holds them all.</summary>
    public bool TryGet(long offset, int length, out ReadOnlyMemory<byte> bytes)
    {
        lock (_chunks)
        {
            for (var node = _chunks.First; node is not null; node = node.Next)
            {
                var chunk = node.Value;
                if (chunk.Start > offset || chunk.End < offset + length) continue;
                _chunks.Remove(node);
                _chunks.AddFirst(node);
                bytes = chunk.Data.AsMemory((int)(offset - chunk.Start), length);
                return true;
            }
        }
        bytes = default;
        return false;
    }

    /// <summary>
    /// The length of the cached range that <paramref name="offset"/> continues (it starts before it and reaches it), or 0: a
    /// read there is the next step of a sequential scan.
    /// </summary>
    public long Continued(long offset)
    {
        lock (_chunks)
            return _chunks.Where(c => c.Start < offset && offset <= c.End).Select(c => (long)c.Data.Length).DefaultIfEmpty(0).Max();
    }

    /// <summary>Keeps <paramref name="data"/>, read at <paramref name="start"/>, dropping the oldest ranges beyond the budget.</summary>
    public void Add(long start, byte[] data)
    {
        if (data.Length > capacity / 2) return;
        lock (_chunks)
        {
            _chunks.AddFirst(new Chunk(start, data));
            _bytes += data.Length;
            while (_bytes > capacity && _chunks.Last is { } oldest)
            {
                _bytes -= oldest.Value.Data.Length;
                _chunks.RemoveLast();
            }
        }
    }

    /// <summary>Drops the ranges that lie wholly inside [offset, offset + length): the caller is done with them.</summary>
    public void Drop(long offset, long length)
    {
        lock (_chunks)
        {
            for (var node = _chunks.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Start >= offset && node.Value.End <= offset + length)
                {
                    _bytes -= node.Value.Data.Length;
                    _chunks.Remove(node);
                }
                node = next;
            }
        }
    }
}
