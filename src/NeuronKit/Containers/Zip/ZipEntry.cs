namespace NeuronKit.Containers.Zip;

/// <summary>One central-directory entry of a zip archive: a lookup key and where its bytes are; nothing is extracted.</summary>
/// <param name="Name">The entry's name as stored (UTF-8), e.g. <c>archive/data/0</c>.</param>
/// <param name="Method">Compression method: 0 stored, 8 deflated.</param>
/// <param name="Flags">General-purpose bit flags.</param>
/// <param name="CompressedSize">Bytes the entry takes in the file.</param>
/// <param name="UncompressedSize">Bytes the entry holds once inflated.</param>
/// <param name="LocalHeaderOffset">Where the entry's local header starts.</param>
/// <param name="RecordLimit">The first byte the entry may not reach: the next local header or the central directory.</param>
/// <param name="Crc32">The CRC-32 of the uncompressed bytes, as the central directory gives it.</param>
/// <param name="CentralHeaderOffset">Where the entry's central-directory header starts (an edit updates its CRC there).</param>
public sealed record ZipEntry(string Name, int Method, int Flags, long CompressedSize, long UncompressedSize,
    long LocalHeaderOffset, long RecordLimit, uint Crc32 = 0, long CentralHeaderOffset = 0)
{
    /// <summary>The method value of an entry stored as is.</summary>
    public const int Stored = 0;

    /// <summary>The method value of a deflated entry.</summary>
    public const int Deflated = 8;
}
