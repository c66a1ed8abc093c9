using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NeuronKit.Tests.Containers.Zip;

/// <summary>Writes zip archives byte by byte, so tests can also write the malformed ones no library would.</summary>
internal sealed class ZipBuilder
{
    public sealed class Entry
    {
        public required string Name { get; init; }
        public required byte[] Data { get; init; }
        public bool Deflate { get; init; }
        public int Flags { get; set; }
        public string? LocalName { get; set; }
        /// <summary>Bytes of padding in the local header's extra field only (torch's "FB" alignment field).</summary>
        public int LocalPadding { get; init; }
        public long? DeclaredCompressedSize { get; set; }
        public long? DeclaredUncompressedSize { get; set; }
    }

    public List<Entry> Entries { get; } = [];
    public bool Zip64 { get; init; }
    public byte[] Comment { get; set; } = [];
    public int? DeclaredCount { get; set; }

    public ZipBuilder Add(string name, byte[] data, bool deflate = false, int localPadding = 0)
    {
        Entries.Add(new Entry { Name = name, Data = data, Deflate = deflate, LocalPadding = localPadding });
        return this;
    }

    public ZipBuilder Add(string name, string text) => Add(name, Encoding.UTF8.GetBytes(text));

    public byte[] Build()
    {
        var output = new MemoryStream();
        var offsets = new List<(long Offset, byte[] Stored)>();
        foreach (var e in Entries)
        {
            byte[] stored = e.Deflate ? Deflated(e.Data) : e.Data;
            offsets.Add((output.Position, stored));
            byte[] name = Encoding.UTF8.GetBytes(e.LocalName ?? e.Name);
            byte[] extra = e.LocalPadding > 0 ? [0x46, 0x42, .. U16(e.LocalPadding), .. new byte[e.LocalPadding]] : [];
            output.Write([.. U32(0x04034b50), .. U16(20), .. U16(e.Flags), .. U16(e.Deflate ? 8 : 0), .. U32(0), .. U32(0),
                .. U32((uint)stored.Length), .. U32((uint)e.Data.Length), .. U16(name.Length), .. U16(extra.Length)]);
            output.Write(name);
            output.Write(extra);
            output.Write(stored);
        }
        long directoryOffset = output.Position;
        for (int i = 0; i < Entries.Count; i++)
        {
            var e = Entries[i];
            byte[] name = Encoding.UTF8.GetBytes(e.Name);
            long compressed = e.DeclaredCompressedSize ?? offsets[i].Stored.Length;
            long uncompressed = e.DeclaredUncompressedSize ?? e.Data.Length;
            byte[] extra = Zip64 ? [.. U16(1), .. U16(24), .. U64(uncompressed), .. U64(compressed), .. U64(offsets[i].Offset)] : [];
            uint Small(long v) => Zip64 ? uint.MaxValue : (uint)v;
            output.Write([.. U32(0x02014b50), .. U16(45), .. U16(45), .. U16(e.Flags), .. U16(e.Deflate ? 8 : 0), .. U32(0), .. U32(0),
                .. U32(Small(compressed)), .. U32(Small(uncompressed)), .. U16(name.Length), .. U16(extra.Length), .. U16(0),
                .. U16(0), .. U16(0), .. U32(0), .. U32(Small(offsets[i].Offset))]);
            output.Write(name);
            output.Write(extra);
        }
        long directorySize = output.Position - directoryOffset;
        int count = DeclaredCount ?? Entries.Count;
        if (Zip64)
        {
            long record = output.Position;
            output.Write([.. U32(0x06064b50), .. U64(44), .. U16(45), .. U16(45), .. U32(0), .. U32(0),
                .. U64(count), .. U64(count), .. U64(directorySize), .. U64(directoryOffset)]);
            output.Write([.. U32(0x07064b50), .. U32(0), .. U64(record), .. U32(1)]);
        }
        output.Write([.. U32(0x06054b50), .. U16(0), .. U16(0), .. U16(Zip64 ? 0xffff : count), .. U16(Zip64 ? 0xffff : count),
            .. U32(Zip64 ? uint.MaxValue : (uint)directorySize), .. U32(Zip64 ? uint.MaxValue : (uint)directoryOffset), .. U16(Comment.Length)]);
        output.Write(Comment);
        return output.ToArray();
    }

    private static byte[] Deflated(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(data);
        return buffer.ToArray();
    }

    public static byte[] U16(int v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); return b; }
    public static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
    public static byte[] U64(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }
}
