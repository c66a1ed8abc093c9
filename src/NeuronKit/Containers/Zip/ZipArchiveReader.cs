using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NeuronKit.Tensors;

namespace NeuronKit.Containers.Zip;

/// <summary>
/// Reads a zip archive's central directory over a <see cref="ByteSource"/>, checking every count, size and offset
/// against the file. Entries are lookup keys only: nothing is extracted, stored entries are read in place.
/// </summary>
/// <remarks>
/// Layout (APPNOTE.TXT 4.3): local header + data per entry, then the central directory, then [zip64 end record,
/// zip64 locator], then the end-of-central-directory record (EOCD) whose comment runs to the end of the file.
/// </remarks>
public sealed class ZipArchiveReader
{
    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const int LocalHeaderSize = 30;
    private const int CentralHeaderSize = 46;
    private const int EndSize = 22;
    private const int Zip64EndSize = 56;
    private const int Zip64LocatorSize = 20;
    private const int MaxCommentLength = ushort.MaxValue;

    // Encrypted (bit 0), patched data (bit 5), strongly encrypted (bit 6): their bytes are not the entry's content.
    private const int RefusedFlags = 0x01 | 0x20 | 0x40;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ByteSource _source;
    private readonly string _fileName;
    private readonly Dictionary<string, ZipEntry> _byName;

    private ZipArchiveReader(ByteSource source, string fileName, List<ZipEntry> entries)
    {
        _source = source;
        _fileName = fileName;
        Entries = entries;
        _byName = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
            if (!_byName.TryAdd(entry.Name, entry))
                throw Corrupt($"holds two zip entries named '{entry.Name}'");
        // Each entry's data offset comes from its local header, scattered through the file: over HTTP, fetch them all
        // at once rather than one round trip per entry (the name and a torch-style 64-byte padding field fit in the range).
        if (source.PrefetchPays)
            source.Prefetch([.. entries.Select(e => (e.LocalHeaderOffset,
                (int)Math.Min(LocalHeaderSize + Encoding.UTF8.GetByteCount(e.Name) + 128, e.RecordLimit - e.LocalHeaderOffset)))]);
    }

    /// <summary>
    /// The name of a zip's first entry, as its local header at the start of <paramref name="head"/> (a file's first bytes)
    /// stores it; empty unless the head is a zip's and holds the name whole. What a format tells its zips by (.npz, .keras).
    /// </summary>
    public static ReadOnlySpan<byte> FirstEntryName(ReadOnlySpan<byte> head)
    {
        if (head.Length < LocalHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(head) != LocalHeaderSignature) return [];
        int length = BinaryPrimitives.ReadUInt16LittleEndian(head[26..]);
        return LocalHeaderSize + length <= head.Length ? head.Slice(LocalHeaderSize, length) : [];
    }

    /// <summary>Every entry, in central-directory order.</summary>
    public IReadOnlyList<ZipEntry> Entries { get; }

    /// <summary>The entry named exactly <paramref name="name"/>, or null.</summary>
    public ZipEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Parses the central directory of <paramref name="source"/>; <paramref name="fileName"/> names the file in errors.
    /// Throws <see cref="CheckpointException"/> for anything that does not fit the file.
    /// </summary>
    public static ZipArchiveReader Open(ByteSource source, string fileName, int maxEntries = 1_000_000)
    {
        try
        {
            return OpenChecked(source, fileName, maxEntries);
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"{fileName} is corrupt: a zip size or offset overflows");
        }
    }

    /// <summary>
    /// The bytes of <paramref name="entry"/>: in place for a stored entry, inflated into memory (capped at its
    /// declared size) for a deflated one. Checks the local header against the central directory first.
    /// </summary>
    public ZipRecord Read(ZipEntry entry)
    {
        long dataOffset = DataOffset(entry);
        switch (entry.Method)
        {
            case ZipEntry.Stored:
                if (entry.CompressedSize != entry.UncompressedSize)
                    throw Corrupt($"stores zip entry '{entry.Name}' in {entry.CompressedSize} bytes but declares {entry.UncompressedSize}");
                return new ZipRecord(_source, dataOffset, entry.CompressedSize) { IsInPlace = true };
            case ZipEntry.Deflated:
                return new ZipRecord(ZipInflater.Inflate(_source, dataOffset, entry, _fileName), 0, entry.UncompressedSize);
            default:
                throw new CheckpointException($"{_fileName} compresses zip entry '{entry.Name}' with method {entry.Method}; " +
                    "only stored (0) and deflated (8) entries can be read");
        }
    }

    /// <summary>Where <paramref name="entry"/>'s data starts, from its local header as torch's getRecordOffset takes it.</summary>
    public long DataOffset(ZipEntry entry)
    {
        long header = entry.LocalHeaderOffset;
        if (header > entry.RecordLimit - LocalHeaderSize)
            throw Corrupt($"has zip entry '{entry.Name}' whose local header at byte {header} runs past its record");
        // Read, not mapped: local headers are scattered through the file, and touching each through the mapping maps
        // a whole folio of the page cache around it (megabytes, where the cache holds large folios) into the process.
        Span<byte> fixedPart = stackalloc byte[LocalHeaderSize];
        _source.Read(header, fixedPart);
        if (BinaryPrimitives.ReadUInt32LittleEndian(fixedPart) != LocalHeaderSignature)
            throw Corrupt($"has no local header for zip entry '{entry.Name}' at byte {header}");
        int flags = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[6..]);
        int method = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[8..]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[26..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[28..]);
        if (method != entry.Method || (flags & RefusedFlags) != (entry.Flags & RefusedFlags))
            throw Corrupt($"has a local header for zip entry '{entry.Name}' that disagrees with the central directory " +
                $"(method {method} vs {entry.Method}, flags 0x{flags:x} vs 0x{entry.Flags:x})");
        long dataOffset = checked(header + LocalHeaderSize + nameLength + extraLength);
        if (dataOffset > entry.RecordLimit || entry.CompressedSize > entry.RecordLimit - dataOffset)
            throw Corrupt($"has zip entry '{entry.Name}' whose {entry.CompressedSize} bytes at {dataOffset} overlap the next record at {entry.RecordLimit}");
        var localName = new byte[nameLength];
        _source.Read(header + LocalHeaderSize, localName);
        if (!localName.SequenceEqual(Encoding.UTF8.GetBytes(entry.Name)))
            throw Corrupt($"has a local header named '{Encoding.UTF8.GetString(localName)}' for zip entry '{entry.Name}'");
        return dataOffset;
    }

    private static ZipArchiveReader OpenChecked(ByteSource source, string fileName, int maxEntries)
    {
        long length = source.Length;
        long end = FindEnd(source, fileName);
        var eocd = source.Span(end, EndSize);
        int disk = BinaryPrimitives.ReadUInt16LittleEndian(eocd[4..]);
        int directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(eocd[6..]);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(eocd[10..]);
        long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(eocd[12..]);
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(eocd[16..]);
        long directoryLimit = end;

        long locator = end - Zip64LocatorSize;
        if (locator >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(source.Span(locator, 4)) == Zip64LocatorSignature)
        {
            ulong recordOffset = BinaryPrimitives.ReadUInt64LittleEndian(source.Span(locator + 8, 8));
            if (recordOffset > (ulong)(locator - Zip64EndSize))
                throw new CheckpointException($"{fileName} is corrupt: its zip64 end record offset {recordOffset} is outside 0..{locator - Zip64EndSize}");
            long record = (long)recordOffset;
            var z = source.Span(record, Zip64EndSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(z) != Zip64EndSignature)
                throw new CheckpointException($"{fileName} is corrupt: no zip64 end record at byte {record}");
            disk = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(z[16..]), int.MaxValue);
            directoryDisk = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(z[20..]), int.MaxValue);
            count = Zip64Value(count, ushort.MaxValue, BinaryPrimitives.ReadUInt64LittleEndian(z[32..]), "entry count", fileName);
            directorySize = Zip64Value(directorySize, uint.MaxValue, BinaryPrimitives.ReadUInt64LittleEndian(z[40..]), "central directory size", fileName);
            directoryOffset = Zip64Value(directoryOffset, uint.MaxValue, BinaryPrimitives.ReadUInt64LittleEndian(z[48..]), "central directory offset", fileName);
            directoryLimit = record;
        }
        else if (count == ushort.MaxValue || directorySize == uint.MaxValue || directoryOffset == uint.MaxValue)
        {
            throw new CheckpointException($"{fileName} is corrupt: its zip end record needs a zip64 record, which is missing");
        }

        if (disk != 0 || directoryDisk != 0)
            throw new CheckpointException($"{fileName} is a multi-part zip (disk {disk}); only single-file archives can be read");
        if (directoryOffset > directoryLimit || directorySize > directoryLimit - directoryOffset)
            throw new CheckpointException($"{fileName} is corrupt: its zip central directory ({directorySize} bytes at {directoryOffset}) " +
                $"does not fit before byte {directoryLimit} of {length}");
        if (count > maxEntries || count > directorySize / CentralHeaderSize)
            throw new CheckpointException($"{fileName} is corrupt: its zip central directory claims {count} entries " +
                $"in {directorySize} bytes (at most {Math.Min(maxEntries, directorySize / CentralHeaderSize)})");

        var entries = ReadDirectory(source, fileName, directoryOffset, directorySize, (int)count);
        return new ZipArchiveReader(source, fileName, entries);
    }

    private static List<ZipEntry> ReadDirectory(ByteSource source, string fileName, long offset, long size, int count)
    {
        var raw = new List<(string Name, int Method, int Flags, long Compressed, long Uncompressed, long Local, uint Crc, long Central)>(count);
        long position = offset;
        long limit = offset + size;
        for (int i = 0; i < count; i++)
        {
            if (position > limit - CentralHeaderSize)
                throw new CheckpointException($"{fileName} is corrupt: zip central directory entry {i} runs past the directory's {size} bytes");
            var header = source.Span(position, CentralHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != CentralHeaderSignature)
                throw new CheckpointException($"{fileName} is corrupt: zip central directory entry {i} at byte {position} has no signature");
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            int method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
            long local = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
            long next = position + CentralHeaderSize + nameLength + extraLength + commentLength;
            if (next > limit)
                throw new CheckpointException($"{fileName} is corrupt: zip central directory entry {i} runs past the directory's {size} bytes");
            string name = EntryName(source.Span(position + CentralHeaderSize, nameLength), fileName);
            if ((flags & RefusedFlags) != 0)
                throw new CheckpointException($"{fileName} has an encrypted or patched zip entry '{name}' (flags 0x{flags:x}); it cannot be read");
            var extra = source.Span(position + CentralHeaderSize + nameLength, extraLength);
            ReadZip64Extra(extra, ref uncompressed, ref compressed, ref local, name, fileName);
            raw.Add((name, method, flags, compressed, uncompressed, local, crc, position));
            position = next;
        }
        if (position != limit)
            throw new CheckpointException($"{fileName} is corrupt: its zip central directory has {limit - position} bytes after its {count} entries");

        // Each record runs from its local header to the next one (or to the central directory): overlapping records
        // are how non-recursive zip bombs and polyglots are built, so they are refused.
        var order = Enumerable.Range(0, raw.Count).OrderBy(i => raw[i].Local).ToArray();
        var limits = new long[raw.Count];
        for (int k = 0; k < order.Length; k++)
        {
            var e = raw[order[k]];
            long recordLimit = k + 1 < order.Length ? raw[order[k + 1]].Local : offset;
            long minimumEnd = e.Local + LocalHeaderSize + Encoding.UTF8.GetByteCount(e.Name) + e.Compressed;
            if (minimumEnd > recordLimit)
                throw new CheckpointException($"{fileName} is corrupt: zip entry '{e.Name}' ({e.Compressed} bytes at {e.Local}) " +
                    $"overlaps the next record at byte {recordLimit}");
            limits[order[k]] = recordLimit;
        }
        return raw.Select((e, i) => new ZipEntry(e.Name, e.Method, e.Flags, e.Compressed, e.Uncompressed, e.Local, limits[i], e.Crc, e.Central)).ToList();
    }

    // The zip64 extra field (id 1) holds, in this order, only the fields whose 32-bit slot is 0xFFFFFFFF.
    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long local,
        string name, string fileName)
    {
        bool needed = uncompressed == uint.MaxValue || compressed == uint.MaxValue || local == uint.MaxValue;
        while (extra.Length >= 4)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (size > extra.Length - 4)
                throw new CheckpointException($"{fileName} is corrupt: zip entry '{name}' has an extra field running past its header");
            var data = extra.Slice(4, size);
            if (id == 1)
            {
                if (uncompressed == uint.MaxValue) uncompressed = TakeUInt64(ref data, name, fileName);
                if (compressed == uint.MaxValue) compressed = TakeUInt64(ref data, name, fileName);
                if (local == uint.MaxValue) local = TakeUInt64(ref data, name, fileName);
                needed = false;
            }
            extra = extra[(4 + size)..];
        }
        if (needed)
            throw new CheckpointException($"{fileName} is corrupt: zip entry '{name}' needs a zip64 extra field, which is missing");
    }

    private static long TakeUInt64(ref ReadOnlySpan<byte> data, string name, string fileName)
    {
        if (data.Length < 8)
            throw new CheckpointException($"{fileName} is corrupt: zip entry '{name}' has a short zip64 extra field");
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(data);
        data = data[8..];
        if (value > long.MaxValue)
            throw new CheckpointException($"{fileName} is corrupt: zip entry '{name}' declares a size or offset of {value}");
        return (long)value;
    }

    private static long Zip64Value(long small, long marker, ulong large, string what, string fileName)
    {
        if (large > long.MaxValue || (small != marker && (ulong)small != large))
            throw new CheckpointException($"{fileName} is corrupt: its zip {what} is {small} in the end record but {large} in the zip64 record");
        return (long)large;
    }

    // Names are lookup keys only, but a name that could escape a folder or hide behind a NUL is a sign of a
    // crafted archive, so it is refused rather than matched.
    private static string EntryName(ReadOnlySpan<byte> bytes, string fileName)
    {
        string name;
        try
        {
            name = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CheckpointException($"{fileName} has a zip entry whose name is not UTF-8 ({Convert.ToHexString(bytes[..Math.Min(bytes.Length, 32)])})");
        }
        bool refused = name.Length == 0 || name.Contains('\0') || name.Contains('\\') || name.StartsWith('/')
            || (name.Length >= 2 && name[1] == ':') || name.Split('/').Contains("..");
        if (refused)
            throw new CheckpointException($"{fileName} has a zip entry named '{name.Replace("\0", "\\0")}', which is refused " +
                "(empty, absolute, with '..', '\\', a drive or NUL)");
        return name;
    }

    // Exactly one EOCD must end the file with its comment: a second candidate means a fake record hides in a comment.
    private static long FindEnd(ByteSource source, string fileName)
    {
        long length = source.Length;
        if (length < EndSize) throw ZipTruncation.Describe(source, fileName);
        long lowest = Math.Max(0, length - EndSize - MaxCommentLength);
        var tail = source.Span(lowest, (int)(length - lowest));
        long found = -1;
        for (int i = tail.Length - EndSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail[i..]) != EndSignature) continue;
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(tail[(i + 20)..]);
            if (commentLength != tail.Length - i - EndSize) continue;
            if (found >= 0)
                throw new CheckpointException($"{fileName} is corrupt: it has two zip end records (at bytes {lowest + i} and {found})");
            found = lowest + i;
        }
        return found >= 0 ? found : throw ZipTruncation.Describe(source, fileName);
    }

    private CheckpointException Corrupt(string what) =>
        new($"{_fileName} is corrupt: it {what}");

    /// <summary>Formats a byte count the way error messages print them (<c>1,829</c>).</summary>
    internal static string Bytes(long count) => count.ToString("N0", CultureInfo.InvariantCulture);
}
