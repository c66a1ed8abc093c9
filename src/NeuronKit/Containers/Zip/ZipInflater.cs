using System.IO.Compression;
using NeuronKit.Tensors;

namespace NeuronKit.Containers.Zip;

/// <summary>Inflates a deflated entry into memory, never past its declared size nor a plausible ratio.</summary>
internal static class ZipInflater
{
    // DEFLATE cannot expand data by more than about 1032:1; a larger claim is a bomb, not a checkpoint.
    private const long MaxRatio = 1032;
    private const long RatioSlack = 4096;

    public static unsafe InflatedMember Inflate(ByteSource source, long dataOffset, ZipEntry entry, string fileName)
    {
        if (entry.UncompressedSize > Array.MaxLength)
            throw new CheckpointException($"{fileName} has a deflated zip entry '{entry.Name}' of {ZipArchiveReader.Bytes(entry.UncompressedSize)} bytes; " +
                $"deflated entries can be at most {ZipArchiveReader.Bytes(Array.MaxLength)} bytes");
        if (entry.UncompressedSize > entry.CompressedSize * MaxRatio + RatioSlack)
            throw new CheckpointException($"{fileName} has a zip entry '{entry.Name}' that claims to inflate {entry.CompressedSize} bytes " +
                $"to {entry.UncompressedSize} (more than {MaxRatio}:1)");
        if (entry.CompressedSize > int.MaxValue)
            throw new CheckpointException($"{fileName} has a deflated zip entry '{entry.Name}' of {entry.CompressedSize} compressed bytes; too large to inflate");
        var compressed = source.Span(dataOffset, (int)entry.CompressedSize);
        var output = new byte[entry.UncompressedSize];
        // An empty deflate stream holds nothing (and pinning an empty span gives no pointer to read from).
        if (compressed.IsEmpty && output.Length == 0) return new InflatedMember(output, entry.Name);
        if (compressed.IsEmpty)
            throw new CheckpointException($"{fileName} is corrupt: zip entry '{entry.Name}' declares {entry.UncompressedSize} bytes " +
                "but holds no compressed data");
        try
        {
            fixed (byte* pointer = compressed)
            {
                using var stream = new UnmanagedMemoryStream(pointer, compressed.Length);
                using var deflate = new DeflateStream(stream, CompressionMode.Decompress);
                int read = deflate.ReadAtLeast(output, output.Length, throwOnEndOfStream: false);
                // .NET stops quietly at the buffer's end, so one more byte tells a lying size from a true one.
                Span<byte> probe = stackalloc byte[1];
                if (read != output.Length || deflate.Read(probe) != 0)
                    throw new CheckpointException($"{fileName} is corrupt: zip entry '{entry.Name}' declares {entry.UncompressedSize} bytes " +
                        $"but inflates to {(read != output.Length ? read.ToString() : "more")}");
            }
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException($"{fileName} is corrupt: zip entry '{entry.Name}' does not inflate ({e.Message})", inner: e);
        }
        return new InflatedMember(output, entry.Name);
    }
}
