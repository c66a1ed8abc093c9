using System.IO.Compression;
using NeuronKit.Containers.Zip;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.NumPy;

/// <summary>
/// Writes an .npz again, member by member in its order: each stored or deflated as it was (np.savez or
/// np.savez_compressed), with its DOS time, the CRCs the zip writer computes, and its bytes as they were unless
/// <c>replace</c> gives new ones (a pruned array, an edited deflated member). Stored members are copied through
/// <c>patches</c>, so edits planned into them are carried over.
/// </summary>
internal static class NumPyArchive
{
    public static void Rewrite(string path, Func<ZipEntry, byte[]?> replace, PatchSet? patches, string output)
    {
        using var file = MappedFile.Open(path);
        var source = ZipArchiveReader.Open(file, Path.GetFileName(path));
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            var buffer = new byte[1 << 20];
            foreach (var entry in source.Entries)
            {
                var member = zip.CreateEntry(entry.Name, entry.Method == ZipEntry.Stored ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
                member.LastWriteTime = Modified(file, entry);
                using var target = member.Open();
                if (replace(entry) is { } bytes)
                {
                    target.Write(bytes);
                    continue;
                }
                var record = source.Read(entry);
                for (long done = 0; done < record.Length; done += buffer.Length)
                {
                    int n = (int)Math.Min(buffer.Length, record.Length - done);
                    if (patches is not null && record.IsInPlace) patches.Read(record.Source, record.Offset + done, buffer.AsSpan(0, n));
                    else record.Source.Read(record.Offset + done, buffer.AsSpan(0, n));
                    target.Write(buffer, 0, n);
                }
                if (!record.IsInPlace) record.Source.Dispose();
            }
        }
    }

    // The member's DOS date and time from its central-directory header, kept so the same rewrite gives the same bytes.
    private static DateTimeOffset Modified(MappedFile file, ZipEntry entry)
    {
        var dos = file.Span(entry.CentralHeaderOffset + 12, 4);
        int time = dos[0] | dos[1] << 8, date = dos[2] | dos[3] << 8;
        try
        {
            return new DateTimeOffset(1980 + (date >> 9), Math.Max(1, (date >> 5) & 0xF), Math.Max(1, date & 0x1F),
                time >> 11, (time >> 5) & 0x3F, Math.Min(59, (time & 0x1F) * 2), TimeSpan.Zero);
        }
        catch (ArgumentOutOfRangeException)
        {
            return new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        }
    }
}
