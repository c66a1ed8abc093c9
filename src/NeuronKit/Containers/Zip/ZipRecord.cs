using NeuronKit.Tensors;

namespace NeuronKit.Containers.Zip;

/// <summary>Where an entry's uncompressed bytes are: a range of the archive itself, or an inflated buffer.</summary>
/// <param name="Source">The bytes: the archive's own source for a stored entry, a <see cref="MemoryBytes"/> once inflated.</param>
/// <param name="Offset">The first byte in <paramref name="Source"/>.</param>
/// <param name="Length">The number of bytes.</param>
public readonly record struct ZipRecord(ByteSource Source, long Offset, long Length)
{
    /// <summary>True when the bytes live in the archive's own source (zero-copy).</summary>
    public bool IsInPlace { get; init; }
}
