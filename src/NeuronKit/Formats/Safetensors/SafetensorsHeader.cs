using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// Reads and validates one safetensors file's header (safetensors <c>Metadata::validate</c>, and the checklist in
/// security-notes §1.2): every tensor a contiguous view of its own bytes, the tensors tiling the buffer exactly.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>MAX_HEADER_SIZE of the reference reader (safetensors/src/tensor.rs).</summary>
    public const long MaxHeaderSize = 100_000_000;

    /// <summary>Real headers are three levels deep (object, tensor, shape); a little room, no more.</summary>
    public static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 4 };

    private const string MetadataKey = "__metadata__";
    private const int MaxTensors = 1_000_000;
    private const int MaxRank = 64;

    /// <summary>The tensors of a file in header order, and its <c>__metadata__</c>.</summary>
    public sealed record Contents(IReadOnlyList<TensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata);

    private sealed record Entry(string Name, SafetensorsDTypes.Entry DType, long[] Shape, long Begin, long End);

    /// <summary>Parses the header of <paramref name="file"/> and checks it against the file; reads no tensor bytes.</summary>
    public static Contents Read(ByteSource file, string fileName)
    {
        try
        {
            return ReadChecked(file, fileName);
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"{fileName} has a safetensors header whose sizes overflow 64 bits");
        }
    }

    private static Contents ReadChecked(ByteSource file, string fileName)
    {
        long length = file.Length;
        if (length < 8)
            throw new CheckpointException($"{fileName} is truncated: {length} bytes, fewer than the 8 of a safetensors header length");
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(0, 8));
        if (declared > MaxHeaderSize)
            throw new CheckpointException($"{fileName} declares a safetensors header of {Bytes(declared)} bytes, " +
                $"more than the {Bytes(MaxHeaderSize)} safetensors allows");
        long headerSize = (long)declared;
        if (headerSize > length - 8)
            throw new CheckpointException($"{fileName} is truncated: its header length says {Bytes(headerSize)} bytes, " +
                $"but only {Bytes(length - 8)} follow it");
        long bufferStart = 8 + headerSize;
        long bufferLength = length - bufferStart;

        using var document = Parse(file.Span(8, (int)headerSize).ToArray(), fileName, "header");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{fileName} has a safetensors header that is a JSON {Kind(root)}, not an object");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                ReadMetadata(property.Value, metadata, fileName);
                continue;
            }
            if (entries.Count == MaxTensors)
                throw new CheckpointException($"{fileName} lists more than {MaxTensors:N0} tensors in its header");
            entries.Add(ReadEntry(property.Name, property.Value, fileName));
        }

        CheckTiling(entries, bufferLength, fileName);
        var tensors = entries.Select(e => TensorInfo.Contiguous(e.Name, e.DType.DType!.Value, e.Shape,
            new TensorStorage(e.Name, file, bufferStart + e.Begin, e.End - e.Begin))).ToList();
        return new Contents(tensors, metadata);
    }

    /// <summary>Parses UTF-8 JSON strictly (no duplicate keys, shallow), naming <paramref name="what"/> of the file in errors.</summary>
    public static JsonDocument Parse(byte[] json, string fileName, string what)
    {
        // System.Text.Json checks UTF-8 only when a string is read, so check it all before anything is.
        if (!Utf8.IsValid(json))
            throw new CheckpointException($"{fileName} has a {what} that is not valid UTF-8 " +
                $"(at byte {FirstInvalidUtf8(json)} of the {what})");
        try
        {
            return JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{fileName} has a {what} that is not valid safetensors JSON: {JsonErrorText.Of(e)}", inner: e);
        }
    }

    private static int FirstInvalidUtf8(byte[] json)
    {
        Utf8.ToUtf16(json, new char[json.Length], out int read, out _, replaceInvalidSequences: false);
        return read;
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string fileName)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{fileName} has a __metadata__ that is a JSON {Kind(value)}, not an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException($"{fileName} has a __metadata__ entry '{item.Name}' that is a JSON {Kind(item.Value)}; " +
                    "safetensors metadata values are strings");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, string fileName)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{fileName} describes tensor '{name}' with a JSON {Kind(value)}, not an object");
        if (!value.TryGetProperty("dtype", out var dtypeValue) || dtypeValue.ValueKind != JsonValueKind.String)
            throw new CheckpointException($"{fileName} gives tensor '{name}' no dtype string");
        string code = dtypeValue.GetString()!;
        var dtype = SafetensorsDTypes.Find(code)
            ?? throw new CheckpointException($"{fileName} gives tensor '{name}' dtype '{code}', which is not a safetensors dtype",
                [$"safetensors dtypes: {string.Join(", ", SafetensorsDTypes.Codes)}"]);
        if (dtype.DType is null)
            throw new CheckpointException($"{fileName} holds tensor '{name}' of dtype {code} ({dtype.Meaning}), which NeuronKit cannot read yet");

        long[] shape = Integers(value, "shape", name, fileName, maxCount: MaxRank);
        long[] offsets = Integers(value, "data_offsets", name, fileName, maxCount: 2);
        if (offsets.Length != 2)
            throw new CheckpointException($"{fileName} gives tensor '{name}' {offsets.Length} data_offsets; it needs exactly 2, [begin, end]");
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin)
            throw new CheckpointException($"{fileName} gives tensor '{name}' data_offsets [{begin}, {end}], which end before they begin");

        long elements = shape.Aggregate(1L, (n, d) => checked(n * d));
        long bytes = checked(elements * dtype.Bits) / 8;
        if (end - begin != bytes)
            throw new CheckpointException($"{fileName} gives tensor '{name}' {Bytes(end - begin)} bytes (data_offsets [{begin}, {end}]), " +
                $"but shape [{string.Join(", ", shape)}] of {code} needs {Bytes(bytes)}");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] Integers(JsonElement tensor, string key, string name, string fileName, int maxCount)
    {
        if (!tensor.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new CheckpointException($"{fileName} gives tensor '{name}' no {key} array");
        if (array.GetArrayLength() > maxCount)
            throw new CheckpointException($"{fileName} gives tensor '{name}' a {key} of {array.GetArrayLength()} entries (at most {maxCount})");
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            // TryGetInt64 refuses fractions, exponents and anything past 2^63-1: no file can be that large anyway.
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw new CheckpointException($"{fileName} gives tensor '{name}' a {key} entry {item.GetRawText()}, " +
                    "not an integer from 0 to 2^63-1");
            values[i++] = v;
        }
        return values;
    }

    // After sorting by offsets the tensors must tile [0, bufferLength) exactly: a gap hides data (a polyglot), an
    // overlap lets many tensors claim the same bytes, and a short or long buffer is a truncated or padded file.
    private static void CheckTiling(List<Entry> entries, long bufferLength, string fileName)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expected = 0;
        Entry? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < expected)
                throw new CheckpointException($"{fileName} has overlapping tensors: '{e.Name}' (bytes {e.Begin}..{e.End}) " +
                    $"starts inside '{previous!.Name}' (bytes {previous.Begin}..{previous.End})");
            if (e.Begin > expected)
                throw new CheckpointException($"{fileName} has a gap of {Bytes(e.Begin - expected)} bytes before tensor '{e.Name}' " +
                    $"(bytes {e.Begin}..{e.End}); safetensors tensors must follow each other without holes");
            expected = e.End;
            previous = e;
        }
        if (expected > bufferLength)
            throw new CheckpointException($"{fileName} is truncated: its tensors need {Bytes(expected)} bytes of data " +
                $"but only {Bytes(bufferLength)} follow the header");
        if (expected < bufferLength)
            throw new CheckpointException($"{fileName} has {Bytes(bufferLength - expected)} bytes after its last tensor; " +
                "a safetensors file ends where its data ends");
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    private static string Bytes(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(ulong count) => count.ToString("N0", CultureInfo.InvariantCulture);
}
