using System.Buffers.Binary;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Containers.Zip;

/// <summary>
/// Keeps a zip archive valid after its stored entries' bytes are edited in place: each touched entry's CRC-32 is
/// brought up to date from its old one and the changed bytes (<see cref="Crc32Update"/>), and written where the archive keeps it: the central
/// directory, the data descriptor after the data (torch.save's miniz writes one), and the local header where it is
/// nonzero. torch.load does not check CRCs, but Python's zipfile (np.load) and Rust's zip crate do.
/// </summary>
internal static class ZipCrcUpdate
{
    private const uint DescriptorSignature = 0x08074b50;
    private const int DataDescriptorFlag = 0x08;

    /// <summary>True when <paramref name="file"/> starts as a zip archive does.</summary>
    public static bool IsZip(MappedFile file) =>
        file.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(file.Span(0, 4)) == 0x04034b50;

    /// <summary>
    /// Plans the CRC writes for every entry of <paramref name="file"/> the planned writes touch; refuses writes into a
    /// compressed entry or outside every entry's data (a header, the directory), which no edit of values makes.
    /// </summary>
    public static void Plan(MappedFile file, PatchSet patches)
    {
        var zip = ZipArchiveReader.Open(file, Path.GetFileName(file.Path));
        var runs = patches.Runs(file.Path);
        var entries = zip.Entries.Select(e => (Entry: e, Data: zip.DataOffset(e))).OrderBy(e => e.Data).ToList();
        foreach (var run in runs)
        {
            var hit = entries.Where(e => run.Offset < e.Data + e.Entry.CompressedSize && e.Data < run.End).ToList();
            if (hit.Count != 1 || run.Offset < hit[0].Data || run.End > hit[0].Data + hit[0].Entry.CompressedSize)
                throw new CheckpointException($"{Path.GetFileName(file.Path)}: an edit would write bytes {run.Offset:N0}..{run.End:N0}, " +
                    "which are not inside one zip entry's data");
            if (hit[0].Entry.Method != ZipEntry.Stored)
                throw new RequestException($"zip entry '{hit[0].Entry.Name}' is compressed, so it cannot be edited in place");
        }
        foreach (var (entry, data) in entries.Where(e => runs.Any(r => r.Offset < e.Data + e.Entry.CompressedSize && e.Data < r.End)))
            PlanEntry(file, patches, entry, data, runs);
    }

    private static void PlanEntry(MappedFile file, PatchSet patches, ZipEntry entry, long data, IReadOnlyList<BytePatch> runs)
    {
        // Only the changed runs are read: the new CRC follows from the old one and their differences (Crc32Update).
        var changed = runs.Where(r => r.Offset >= data && r.End <= data + entry.CompressedSize).Select(r =>
        {
            var old = new byte[r.Bytes.Length];
            file.Read(r.Offset, old);
            return (r.Offset - data, old, r.Bytes);
        });
        uint crc = Crc32Update.Apply(entry.Crc32, entry.CompressedSize, changed);
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, crc);
        string name = Path.GetFileName(file.Path);
        patches.Write(file, entry.CentralHeaderOffset + 16, value);
        if (BinaryPrimitives.ReadUInt32LittleEndian(file.Span(entry.LocalHeaderOffset + 14, 4)) != 0)
            patches.Write(file, entry.LocalHeaderOffset + 14, value);
        if ((entry.Flags & DataDescriptorFlag) == 0) return;
        // The descriptor's signature is optional: the old CRC tells which of the two layouts this is.
        long descriptor = data + entry.CompressedSize;
        if (descriptor > file.Length - 8)
            throw new CheckpointException($"{name} is corrupt: zip entry '{entry.Name}' has no room for its data descriptor");
        var head = file.Span(descriptor, 8);
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(head), second = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        long at = first == DescriptorSignature && second == entry.Crc32 ? descriptor + 4
            : first == entry.Crc32 ? descriptor
            : throw new CheckpointException($"{name} is corrupt: the data descriptor of zip entry '{entry.Name}' does not hold its CRC");
        patches.Write(file, at, value);
    }
}
