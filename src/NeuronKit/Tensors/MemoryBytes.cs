namespace NeuronKit.Tensors;

/// <summary>Bytes held in memory: an inflated zip entry, or a test's buffer.</summary>
public sealed class MemoryBytes(byte[] bytes) : ByteSource
{
    /// <inheritdoc/>
    public override long Length => bytes.Length;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        CheckRange(offset, length);
        return bytes.AsSpan((int)offset, length);
    }
}
