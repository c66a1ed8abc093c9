using NeuronKit.Edits;

namespace NeuronKit.Tensors;

/// <summary>
/// Bytes held in memory: an inflated zip entry, ONNX typed fields decoded, or a test's buffer. <paramref name="origin"/>
/// says where they came from, for the refusal of an edit, which has nowhere in the file to write them.
/// </summary>
public sealed class MemoryBytes(byte[] bytes, string origin = "bytes decoded into memory") : ByteSource
{
    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> values, PatchSet patches) =>
        throw new RequestException($"its values are {origin}, not stored as they are read, so there is nowhere in the file to write them");

    /// <inheritdoc/>
    public override long Length => bytes.Length;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        CheckRange(offset, length);
        return bytes.AsSpan((int)offset, length);
    }
}
