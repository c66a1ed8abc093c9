using System.Globalization;
using System.IO.Compression;
using System.Text;
using NeuronKit.Containers.Zip;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.NumPy;

/// <summary>
/// Writes an .npy or .npz with some arrays cut smaller: a cut array gets a new version 1.0 header (C order, the shape
/// after the cut, padded so its data starts on a 64-byte boundary as NumPy's writer does); every other member's bytes are
/// copied as they are, in the archive's order, stored or deflated as it was (np.savez or np.savez_compressed), with the
/// CRCs the zip writer computes.
/// </summary>
internal sealed class NumPyPruneWriter : IPruneWriter
{
    /// <inheritdoc/>
    public string Format => "numpy";

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        var byName = cuts.ToDictionary(c => c.Tensor.Name);
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write);
        if (checkpoint.Metadata.GetValueOrDefault("variant") == "npy")
        {
            stream.Write(Array(byName[checkpoint.Tensors[0].Name]));
            stream.Flush(flushToDisk: true);
            return;
        }
        using var file = MappedFile.Open(checkpoint.Path);
        var source = ZipArchiveReader.Open(file, Path.GetFileName(checkpoint.Path));
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                string name = entry.Name[..^".npy".Length];
                var member = zip.CreateEntry(entry.Name, entry.Method == ZipEntry.Stored ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
                member.LastWriteTime = Modified(file, entry);
                using var target = member.Open();
                if (byName.TryGetValue(name, out var cut))
                {
                    target.Write(Array(cut));
                    continue;
                }
                var record = source.Read(entry);
                var buffer = new byte[1 << 20];
                for (long done = 0; done < record.Length; done += buffer.Length)
                {
                    int n = (int)Math.Min(buffer.Length, record.Length - done);
                    record.Source.Read(record.Offset + done, buffer.AsSpan(0, n));
                    target.Write(buffer, 0, n);
                }
                if (!record.IsInPlace) record.Source.Dispose();
            }
        }
        stream.Flush(flushToDisk: true);
    }

    // The member's DOS date and time from its central-directory header, kept so the same prune gives the same bytes.
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

    // An .npy of the cut array: magic, version 1.0, the header dict padded with spaces and a newline to 64 bytes, data.
    private static byte[] Array(TensorCut cut)
    {
        string shape = cut.NewShape.Length == 1 ? $"({cut.NewShape[0]},)"
            : $"({string.Join(", ", cut.NewShape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})";
        string dict = $"{{'descr': '{NpyDTypes.Descr(cut.Tensor.DType)}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = (NpyArray.Magic.Length + 4 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - NpyArray.Magic.Length - 4 - 1) + "\n";
        using var bytes = new MemoryStream();
        bytes.Write(NpyArray.Magic);
        bytes.Write([1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        bytes.Write(Encoding.Latin1.GetBytes(header));
        bytes.Write(cut.KeptBytes());
        return bytes.ToArray();
    }
}
