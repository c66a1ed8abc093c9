namespace NeuronKit.Tensors;

/// <summary>
/// Bytes made by decoding others (dequantized values), which have nowhere to live in the file: <see cref="Read"/>
/// decodes straight into the caller's buffer, and each <see cref="Span"/> call returns a buffer of its own, so a span
/// stays valid however many are taken after it.
/// </summary>
public abstract class DecodedBytes : ByteSource
{
    /// <inheritdoc/>
    public sealed override ReadOnlySpan<byte> Span(long offset, int length)
    {
        var bytes = new byte[length];
        Read(offset, bytes);
        return bytes;
    }

    /// <summary>Decodes the <c>destination.Length</c> bytes at <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public abstract override void Read(long offset, Span<byte> destination);
}
