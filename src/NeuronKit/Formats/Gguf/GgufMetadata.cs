using System.Buffers.Binary;
using System.Globalization;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Reads metadata values and renders them as short strings for <see cref="Checkpoint.Metadata"/>: scalars as written,
/// strings cut at 256 characters, arrays of up to 16 items in full and longer ones summarised
/// (<c>array of 32,000 strings</c>), their bytes skipped rather than decoded.
/// </summary>
internal static class GgufMetadata
{
    private const int ShownItems = 16;
    private const int ShownChars = 256;
    private const long MaxString = 16L << 20;    // llama.cpp allows 1 GiB; metadata strings are chat templates at most
    private const int MaxDepth = 2;               // an array of arrays; the spec allows more, llama.cpp allows none

    // Each value type's name and size in bytes (0: variable), indexed by GgufValueType.
    private static readonly (string Name, int Size)[] Types =
    [
        ("uint8", 1), ("int8", 1), ("uint16", 2), ("int16", 2), ("uint32", 4), ("int32", 4), ("float32", 4),
        ("bool", 1), ("string", 0), ("array", 0), ("uint64", 8), ("int64", 8), ("float64", 8),
    ];

    /// <summary>GGUF's name of <paramref name="type"/> (<c>uint32</c>).</summary>
    public static string Name(GgufValueType type) => Types[(int)type].Name;

    /// <summary>Reads a value type, refusing the ones GGUF does not define.</summary>
    public static GgufValueType ReadType(GgufCursor cursor, string key)
    {
        long at = cursor.Position;
        uint type = cursor.U32($"the value type of metadata '{key}'");
        if (type >= Types.Length)
            throw new CheckpointException($"{cursor.FileName} has metadata '{key}' of value type {type} at byte {at:N0}; " +
                $"GGUF defines value types 0 to {Types.Length - 1}");
        return (GgufValueType)type;
    }

    /// <summary>Reads a value of <paramref name="type"/> and renders it.</summary>
    public static string Read(GgufCursor cursor, string key, GgufValueType type) => Read(cursor, key, type, 0, render: true)!;

    private static string? Read(GgufCursor cursor, string key, GgufValueType type, int depth, bool render)
    {
        string what = $"metadata '{key}'";
        switch (type)
        {
            case GgufValueType.String when render:
                string text = cursor.String(what, MaxString);
                return text.Length <= ShownChars ? text : $"{text[..ShownChars]}… ({text.Length:N0} characters)";
            case GgufValueType.String:
                cursor.Skip(cursor.StringLength(what, MaxString), what);
                return null;
            case GgufValueType.Array:
                return ReadArray(cursor, key, depth, render);
            default:
                long at = cursor.Position;
                var bytes = cursor.Take(Types[(int)type].Size, what);
                if (type == GgufValueType.Bool) CheckBools(cursor, key, bytes, at);
                return render ? Scalar(type, bytes) : null;
        }
    }

    private static string? ReadArray(GgufCursor cursor, string key, int depth, bool render)
    {
        long at = cursor.Position;
        var element = ReadType(cursor, key);
        string what = $"metadata '{key}'";
        ulong count = cursor.U64($"the length of array '{key}'");
        if (element == GgufValueType.Array && depth + 1 >= MaxDepth)
            throw new CheckpointException($"{cursor.FileName} has metadata '{key}' with arrays nested more than {MaxDepth} deep " +
                $"at byte {at:N0}; NeuronKit reads arrays of arrays at most");
        // The least an element can take: a scalar's size, a string's length field, an array's type and count.
        long least = element switch { GgufValueType.String => 8, GgufValueType.Array => 12, _ => Types[(int)element].Size };
        if (count > (ulong)(cursor.Remaining / least))
            throw new CheckpointException($"{cursor.FileName} is truncated or corrupt: metadata '{key}' is an array of " +
                $"{count:N0} {Plural(element)} at byte {at:N0}, which needs at least {least} bytes each, and {cursor.Remaining:N0} remain");
        string summary = $"array of {count:N0} {Plural(element)}";
        bool show = render && count <= ShownItems;
        if (element is not (GgufValueType.String or GgufValueType.Array) && !show)
        {
            // Skipped unread, but bools are checked, a chunk at a time (the count fits the file, not an int).
            for (long left = (long)count * least; left > 0; left -= 1 << 20)
            {
                long start = cursor.Position;
                if (element != GgufValueType.Bool) { cursor.Skip(left, what); break; }
                CheckBools(cursor, key, cursor.Take(Math.Min(left, 1 << 20), what), start);
            }
            return render ? summary : null;
        }
        var items = new List<string>();
        for (ulong i = 0; i < count; i++)
        {
            string? item = Read(cursor, key, element, depth + 1, show);
            if (show) items.Add(element == GgufValueType.String ? Quote(item!) : item!);
        }
        return !render ? null : show ? $"[{string.Join(", ", items)}]" : summary;
    }

    private static void CheckBools(GgufCursor cursor, string key, ReadOnlySpan<byte> bytes, long at)
    {
        int bad = bytes.IndexOfAnyExcept((byte)0, (byte)1);
        if (bad >= 0)
            throw new CheckpointException($"{cursor.FileName} has metadata '{key}' with a bool of value {bytes[bad]} at byte " +
                $"{at + bad:N0}; a GGUF bool is 0 or 1");
    }

    private static string Scalar(GgufValueType type, ReadOnlySpan<byte> b) => type switch
    {
        GgufValueType.UInt8 => b[0].ToString(CultureInfo.InvariantCulture),
        GgufValueType.Int8 => ((sbyte)b[0]).ToString(CultureInfo.InvariantCulture),
        GgufValueType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b).ToString(CultureInfo.InvariantCulture),
        GgufValueType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b).ToString(CultureInfo.InvariantCulture),
        GgufValueType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b).ToString(CultureInfo.InvariantCulture),
        GgufValueType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b).ToString(CultureInfo.InvariantCulture),
        GgufValueType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(b).ToString(CultureInfo.InvariantCulture),
        GgufValueType.Bool => b[0] == 1 ? "true" : "false",
        GgufValueType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(b).ToString(CultureInfo.InvariantCulture),
        GgufValueType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b).ToString(CultureInfo.InvariantCulture),
        GgufValueType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(b).ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static string Plural(GgufValueType type) => type switch
    {
        GgufValueType.String => "strings",
        GgufValueType.Array => "arrays",
        GgufValueType.Bool => "bools",
        _ => Name(type),
    };

    private static string Quote(string s) => $"\"{s.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
}
