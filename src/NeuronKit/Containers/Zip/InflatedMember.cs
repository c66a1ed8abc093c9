using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Containers.Zip;

/// <summary>
/// A deflated zip entry's bytes, inflated into memory. They have no place in the file to be written back to, so an edit
/// plans its writes against the member itself, and a writer that rewrites the archive (NumPy's) deflates it again.
/// </summary>
public sealed class InflatedMember(byte[] bytes, string entry) : ByteSource
{
    /// <summary>The entry's name in its archive (<c>conv1.weight.npy</c>).</summary>
    public string Entry => entry;

    /// <inheritdoc/>
    public override long Length => bytes.Length;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        CheckRange(offset, length);
        return bytes.AsSpan((int)offset, length);
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> values, PatchSet patches) => patches.Write(this, offset, values);
}
