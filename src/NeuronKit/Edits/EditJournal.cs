using System.Buffers.Binary;
using System.Security.Cryptography;

namespace NeuronKit.Edits;

/// <summary>
/// The undo record of an in-place edit, <c>FILE.neuronkit-undo</c>: the bytes each run is about to overwrite, written
/// and flushed before the file is touched, and removed once the edited file has been checked. A journal left behind
/// means an edit was cut short (a crash, a full disk): <see cref="Recover"/> puts the old bytes back. A journal that
/// was itself cut short is incomplete (its digest does not match) and means the file was never touched.
/// </summary>
public static class EditJournal
{
    private static readonly byte[] Magic = "NKUNDO1\n"u8.ToArray();

    /// <summary>
    /// Where the journal of <paramref name="path"/> lives: beside the file itself, symbolic links followed, so that a crash
    /// is put back whichever name the file is edited by next.
    /// </summary>
    public static string PathOf(string path) => OutputFile.Resolved(path) + ".neuronkit-undo";

    /// <summary>Writes and flushes the journal of the runs in <paramref name="old"/> (the file's bytes before the edit).</summary>
    internal static void Write(string path, IReadOnlyList<BytePatch> old)
    {
        using var body = new MemoryStream();
        body.Write(Magic);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(number, old.Count);
        body.Write(number[..4]);
        foreach (var run in old)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, run.Offset);
            body.Write(number);
            BinaryPrimitives.WriteInt32LittleEndian(number, run.Bytes.Length);
            body.Write(number[..4]);
            body.Write(run.Bytes);
        }
        body.Write(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
        string journal = PathOf(path), temporary = journal + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            body.Position = 0;
            body.CopyTo(stream);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, journal, overwrite: false);
    }

    /// <summary>
    /// Puts back the bytes an interrupted in-place edit of <paramref name="path"/> overwrote, if its journal is there, and
    /// removes the journal. Returns how many bytes were restored (0 when there was no journal, or only an incomplete one,
    /// written before the file was touched).
    /// </summary>
    public static long Recover(string path)
    {
        string journal = PathOf(path);
        File.Delete(journal + ".tmp");
        if (!File.Exists(journal)) return 0;
        var runs = Read(journal);
        long restored = 0;
        long length = new FileInfo(path).Length;
        if (runs is not null && runs.All(r => r.Offset >= 0 && r.Offset <= length - r.Bytes.Length))
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            foreach (var run in runs)
            {
                RandomAccess.Write(handle, run.Bytes, run.Offset);
                restored += run.Bytes.Length;
            }
            RandomAccess.FlushToDisk(handle);
        }
        File.Delete(journal);
        return restored;
    }

    // The runs of a complete journal; null for one cut short or damaged, which was never acted on.
    private static List<BytePatch>? Read(string journal)
    {
        var bytes = File.ReadAllBytes(journal);
        int bodyLength = bytes.Length - SHA256.HashSizeInBytes;
        if (bodyLength < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(bytes.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            return null;
        var runs = new List<BytePatch>();
        int at = Magic.Length, count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        at += 4;
        for (int i = 0; i < count; i++)
        {
            long offset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 8));
            at += 12;
            runs.Add(new BytePatch("", offset, bytes.AsSpan(at, length).ToArray()));
            at += length;
        }
        return runs;
    }
}
