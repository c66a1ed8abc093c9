namespace NeuronKit.Tensors;

/// <summary>Bytes a checkpoint's tensors live in: a mapped file, or a buffer for data that had to be inflated.</summary>
public abstract class ByteSource : IDisposable
{
    /// <summary>The number of bytes.</summary>
    public abstract long Length { get; }

    /// <summary>
    /// A view of <paramref name="length"/> bytes at <paramref name="offset"/>, valid until the source is disposed.
    /// Callers check ranges against <see cref="Length"/> when they validate a file; this re-checks cheaply.
    /// </summary>
    public abstract ReadOnlySpan<byte> Span(long offset, int length);

    /// <summary>
    /// Copies <c>destination.Length</c> bytes at <paramref name="offset"/> into <paramref name="destination"/>: for
    /// streaming whole tensors, where a copy into a reused buffer beats mapping every page.
    /// </summary>
    public virtual void Read(long offset, Span<byte> destination) => Span(offset, destination.Length).CopyTo(destination);

    /// <summary>
    /// A hint that the caller is done with [offset, offset + length) for now: a mapping may drop those pages from the
    /// process (they stay in the page cache), so a scan over a whole file keeps its memory flat. Never required.
    /// </summary>
    public virtual void Release(long offset, long length)
    {
    }

    /// <summary>Releases the bytes.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Throws unless [offset, offset + length) lies inside the source.</summary>
    protected void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + length} are outside 0..{Length}");
    }
}
