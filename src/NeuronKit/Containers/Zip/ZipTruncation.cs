using System.Buffers.Binary;
using System.Text;
using NeuronKit.Tensors;

namespace NeuronKit.Containers.Zip;

/// <summary>
/// Explains a zip without an end record: how many bytes there are, and the least a whole archive would need.
/// </summary>
internal static class ZipTruncation
{
    private static readonly byte[] LocalSignature = [0x50, 0x4b, 0x03, 0x04];
    private const int LocalHeaderSize = 30;
    private const int CentralHeaderSize = 46;
    private const int EndSize = 22;
    private const int Chunk = 1 << 30;

    /// <summary>
    /// The error for a zip whose end record is missing. The lower bound counts the central-directory entries the
    /// archive's local headers call for (those under the first entry's folder) plus the end record.
    /// </summary>
    public static CheckpointException Describe(ByteSource source, string fileName)
    {
        long length = source.Length;
        string prefix = FirstFolder(source);
        long needed = EndSize;
        // Chunks overlap by one header so a header on a boundary is seen whole; each start is counted in one chunk.
        for (long start = 0; start < length; start += Chunk - LocalHeaderSize)
        {
            var chunk = source.Span(start, (int)Math.Min(Chunk, length - start));
            bool last = start + chunk.Length >= length;
            int at = 0;
            while (true)
            {
                int hit = chunk[at..].IndexOf(LocalSignature);
                if (hit < 0) break;
                at += hit;
                if (at + LocalHeaderSize > chunk.Length || (!last && at >= chunk.Length - LocalHeaderSize)) break;
                int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(chunk[(at + 26)..]);
                if (at + LocalHeaderSize + nameLength <= chunk.Length
                    && chunk.Slice(at + LocalHeaderSize, nameLength).StartsWith(Encoding.UTF8.GetBytes(prefix)))
                    needed += CentralHeaderSize + nameLength;
                at += LocalSignature.Length;
            }
            if (last) break;
        }
        return new CheckpointException($"{fileName} is truncated: zip central directory missing " +
            $"(read {ZipArchiveReader.Bytes(length)} of at least {ZipArchiveReader.Bytes(length + needed)} bytes)",
            ["the file was cut short, e.g. by an interrupted download or copy; fetch or save it again"]);
    }

    // Records of one archive share its top folder (torch: "<prefix>/"); other signatures are tensor bytes.
    private static string FirstFolder(ByteSource source)
    {
        if (source.Length < LocalHeaderSize || !source.Span(0, 4).SequenceEqual(LocalSignature)) return "\0";
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(source.Span(26, 2));
        if (nameLength > source.Length - LocalHeaderSize) return "\0";
        string name = Encoding.UTF8.GetString(source.Span(LocalHeaderSize, nameLength));
        int slash = name.IndexOf('/');
        return slash > 0 ? name[..(slash + 1)] : name;
    }
}
