using NeuronKit.Edits;

namespace NeuronKit.Tensors;

/// <summary>
/// Another source's bytes, read as they are, that an edit must not write: an ONNX external data file whose SHA-1 the
/// model records, which a changed byte would make wrong. <paramref name="why"/> says so in the refusal.
/// </summary>
public sealed class UnwritableBytes(ByteSource inner, string why) : ByteSource
{
    /// <inheritdoc/>
    public override long Length => inner.Length;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length) => inner.Span(offset, length);

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

    /// <inheritdoc/>
    public override void Release(long offset, long length) => inner.Release(offset, length);

    /// <inheritdoc/>
    public override void Prefetch(IReadOnlyList<(long Offset, int Length)> ranges) => inner.Prefetch(ranges);

    /// <inheritdoc/>
    public override bool PrefetchPays => inner.PrefetchPays;

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) => throw new RequestException(why);

    // The inner source belongs to whoever made it; disposing this view leaves it open.
    /// <inheritdoc/>
    public override void Dispose() => GC.SuppressFinalize(this);
}
