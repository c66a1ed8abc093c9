using NeuronKit.Edits;

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
    /// Appends the <paramref name="length"/> bytes at <paramref name="offset"/> to <paramref name="destination"/>, a block at
    /// a time: what a writer does with everything it keeps as it was. A mapped file copies into a file inside the kernel.
    /// </summary>
    public virtual void CopyTo(long offset, long length, Stream destination)
    {
        CheckRange(offset, length);
        var buffer = new byte[(int)Math.Min(1 << 20, Math.Max(length, 1))];
        for (long done = 0; done < length; done += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, length - done);
            Read(offset + done, buffer.AsSpan(0, n));
            destination.Write(buffer, 0, n);
        }
    }

    /// <summary>
    /// A hint that the ranges (offset, length) will be read soon, each on its own: a source whose reads cost a round trip
    /// (HTTP) fetches them together; a mapped file has nothing to do. Never required, and never fails.
    /// </summary>
    public virtual void Prefetch(IReadOnlyList<(long Offset, int Length)> ranges)
    {
    }

    /// <summary>True when each read costs a round trip (HTTP), so that listing many small reads for <see cref="Prefetch"/> pays.</summary>
    public virtual bool PrefetchPays => false;

    /// <summary>
    /// True once the source's file changed since it was opened: a file on a server found replaced by a read (every read
    /// since fails), a local file found rewritten or replaced by a stat of its path. Opening the file again reads the new one.
    /// </summary>
    public virtual bool Changed => false;

    /// <summary>
    /// A hint that the caller is done with [offset, offset + length) for now: a mapping may drop those pages from the
    /// process (they stay in the page cache), so a scan over a whole file keeps its memory flat. Never required.
    /// </summary>
    public virtual void Release(long offset, long length)
    {
    }

    /// <summary>
    /// Plans writing <paramref name="bytes"/>, encoded as <see cref="Read"/> gives them, at <paramref name="offset"/>:
    /// a mapped file plans them as they are; a source that decodes other bytes (quantized integers, ggml blocks) encodes
    /// them back into those. Bytes that live only in memory (an inflated zip entry, ONNX typed fields) have nowhere to
    /// go and are refused with <see cref="RequestException"/>.
    /// </summary>
    public virtual void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException("its values are not stored in a file as they are read, so there is nowhere to write them");

    /// <summary>Releases the bytes.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Throws unless [offset, offset + length) lies inside the source.</summary>
    protected void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + length} are outside 0..{Length}");
    }
}
