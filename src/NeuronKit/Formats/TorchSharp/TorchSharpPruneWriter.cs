using System.Text;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.TorchSharp;

/// <summary>
/// Writes a TorchSharp .dat file with some tensors cut smaller (layout: <see cref="TorchSharpReader"/>): the count and
/// every record in order; a cut record gets its name, dtype code and new shape written as module.save writes them, then
/// its kept bytes; every other record's bytes copied as they are. The file has no offsets or checksums to fix.
/// </summary>
internal sealed class TorchSharpPruneWriter : IPruneWriter
{
    /// <inheritdoc/>
    public string Format => "torchsharp";

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        var byName = cuts.ToDictionary(c => c.Tensor.Name, StringComparer.Ordinal);
        using var file = MappedFile.Open(checkpoint.Path);
        var entries = new TorchSharpScanner(file, checkpoint.FileName).Scan();
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        long at = 0;
        foreach (var entry in entries)
        {
            // A record's header runs from the previous record's data to its own.
            long end = entry.DataOffset + entry.ByteLength;
            if (!byName.TryGetValue(entry.Name, out var cut))
            {
                file.CopyTo(at, end - at, stream);
                at = end;
                continue;
            }
            if (at == 0)
            {
                // The count comes before the first record's header.
                var count = new MemoryStream();
                WriteULeb128(count, entries.Count);
                stream.Write(count.ToArray());
            }
            byte[] name = Encoding.UTF8.GetBytes(entry.Name);
            WriteULeb128(stream, name.Length);
            stream.Write(name);
            WriteULeb128(stream, TorchSharpScalarTypes.CodeOf(entry.DType)
                ?? throw new RequestException($"{entry.Name} is {entry.DType.Name()}, which TorchSharp has no code for"));
            WriteULeb128(stream, cut.NewShape.Length);
            foreach (long d in cut.NewShape) WriteULeb128(stream, d);
            cut.WriteKeptBytes(stream);
            at = end;
        }
    }

    private static void WriteULeb128(Stream stream, long value)
    {
        ulong v = (ulong)value;
        do
        {
            byte b = (byte)(v & 0x7f);
            v >>= 7;
            stream.WriteByte(v != 0 ? (byte)(b | 0x80) : b);
        }
        while (v != 0);
    }
}
