using System.Buffers.Binary;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// A GGUF header read and checked up to the data section: version, metadata, alignment, tensor infos. Sizes are checked
/// here, before anything is allocated for them; offsets are checked against the file by <see cref="GgufReader"/>.
/// </summary>
internal sealed record GgufHeader(uint Version, long Alignment, IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<GgufTensorInfo> Tensors, long DataStart)
{
    private const long MaxKey = 65_535;              // docs/gguf.md: keys are at most 2^16 - 1 bytes
    private const long MaxName = 63;                 // GGML_MAX_NAME = 64, with the NUL
    private const int MaxDims = 4;                   // GGML_MAX_DIMS
    private const long DefaultAlignment = 32;        // GGUF_DEFAULT_ALIGNMENT
    private const long MaxAlignment = 1 << 20;       // GGML_PAD overflows on huge values (llama.cpp #24759)
    private const string AlignmentKey = "general.alignment";

    /// <summary>Reads the header from the cursor's start (the 4 magic bytes, already checked).</summary>
    public static GgufHeader Read(GgufCursor cursor)
    {
        string file = cursor.FileName;
        cursor.Take(4, "the magic bytes");
        uint version = ReadVersion(cursor);
        ulong tensorCount = cursor.U64("the tensor count");
        ulong kvCount = cursor.U64("the metadata count");
        // Before allocating: a tensor info takes at least 24 bytes (name length, n_dims, type, offset), a key-value 13.
        if (tensorCount > (ulong)(cursor.Remaining / 24))
            throw new CheckpointException($"{file} declares {tensorCount:N0} tensors, but its remaining {cursor.Remaining:N0} bytes " +
                $"hold at most {cursor.Remaining / 24:N0} tensor infos");
        if (kvCount > (ulong)((cursor.Remaining - (long)tensorCount * 24) / 13))
            throw new CheckpointException($"{file} declares {kvCount:N0} metadata entries, but its remaining {cursor.Remaining:N0} " +
                $"bytes hold at most {(cursor.Remaining - (long)tensorCount * 24) / 13:N0} with its {tensorCount:N0} tensor infos");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["version"] = version.ToString() };
        long alignment = DefaultAlignment;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            string key = cursor.String($"metadata key {i}", MaxKey);
            if (!keys.Add(key))
                throw new CheckpointException($"{file} has metadata key '{key}' twice; GGUF keys are unique");
            var type = GgufMetadata.ReadType(cursor, key);
            if (key == AlignmentKey) alignment = ReadAlignment(cursor, type);
            metadata[key] = key == AlignmentKey ? alignment.ToString() : GgufMetadata.Read(cursor, key, type);
        }

        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 1 << 16));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            var tensor = TensorInfo(cursor, i);
            if (!names.Add(tensor.Name))
                throw new CheckpointException($"{file} holds two tensors named '{tensor.Name}'");
            tensors.Add(tensor);
        }
        long dataStart = (cursor.Position + alignment - 1) / alignment * alignment;
        return new GgufHeader(version, alignment, metadata, tensors, dataStart);
    }

    // v2 widened v1's u32 counts to u64; v3 only allowed big-endian files, which nothing in them marks.
    private static uint ReadVersion(GgufCursor cursor)
    {
        string file = cursor.FileName;
        uint version = cursor.U32("the version");
        if (version is 2 or 3) return version;
        if (BinaryPrimitives.ReverseEndianness(version) is >= 1 and <= 3)
            throw new CheckpointException($"{file} is a big-endian GGUF file (its version reads {version:N0} little-endian, " +
                $"{BinaryPrimitives.ReverseEndianness(version)} byte-swapped); NeuronKit reads little-endian GGUF only");
        if (version == 1)
            throw new CheckpointException($"{file} is GGUF version 1, which is obsolete (32-bit counts); NeuronKit reads versions 2 and 3",
                ["convert it with a current llama.cpp (convert_hf_to_gguf.py) or re-download it"]);
        throw new CheckpointException($"{file} is GGUF version {version}; NeuronKit reads versions 2 and 3");
    }

    private static long ReadAlignment(GgufCursor cursor, GgufValueType type)
    {
        string file = cursor.FileName;
        if (type != GgufValueType.UInt32)
            throw new CheckpointException($"{file} has {AlignmentKey} of type {GgufMetadata.Name(type)}; it must be a uint32");
        uint value = cursor.U32(AlignmentKey);
        if (value == 0 || (value & (value - 1)) != 0 || value > MaxAlignment)
            throw new CheckpointException($"{file} has {AlignmentKey} {value:N0}; it must be a power of two up to {MaxAlignment:N0}");
        return value;
    }

    private static GgufTensorInfo TensorInfo(GgufCursor cursor, ulong index)
    {
        string file = cursor.FileName;
        long at = cursor.Position;
        long nameLength = cursor.StringLength($"the name of tensor {index}", long.MaxValue);
        if (nameLength > MaxName)
            throw new CheckpointException($"{file} has a tensor name of {nameLength:N0} bytes at byte {at:N0}; ggml allows {MaxName} (GGML_MAX_NAME)");
        string name = System.Text.Encoding.UTF8.GetString(cursor.Take(nameLength, $"the name of tensor {index}"));
        uint dims = cursor.U32($"the dimension count of tensor '{name}'");
        if (dims > MaxDims)
            throw new CheckpointException($"{file} has tensor '{name}' with {dims} dimensions; ggml allows at most {MaxDims}");
        var ne = new long[dims];
        for (int d = 0; d < dims; d++)
        {
            ulong size = cursor.U64($"dimension {d} of tensor '{name}'");
            if (size > long.MaxValue)
                throw new CheckpointException($"{file} has tensor '{name}' with dimension {d} of {size:N0} (negative as int64)");
            ne[d] = (long)size;
        }
        uint typeId = cursor.U32($"the type of tensor '{name}'");
        var type = Type(file, name, typeId);
        ulong offset = cursor.U64($"the offset of tensor '{name}'");

        Int128 elements = 1;
        foreach (long size in ne)
        {
            elements *= size;
            if (elements > long.MaxValue / sizeof(float))
                throw new CheckpointException($"{file} has tensor '{name}' with too many elements (ne [{string.Join(", ", ne)}])");
        }
        long rowLength = dims == 0 ? 1 : ne[0];
        if (rowLength % type.BlockSize != 0)
            throw new CheckpointException($"{file} has tensor '{name}' of type {type.Name} whose ne[0] = {rowLength:N0} is not a " +
                $"multiple of the type's block size {type.BlockSize}");
        Int128 bytes = elements / type.BlockSize * type.TypeSize;   // rows are whole blocks
        if (bytes > long.MaxValue)
            throw new CheckpointException($"{file} has tensor '{name}' of {bytes:N0} bytes, too many to address (ne [{string.Join(", ", ne)}])");
        return new GgufTensorInfo(name, ne, type, offset, (long)elements, (long)bytes);
    }

    private static GgmlType Type(string file, string name, uint id)
    {
        var type = GgmlTypes.Find(id)
            ?? throw new CheckpointException($"{file} has tensor '{name}' of unknown ggml type {id}",
                [$"NeuronKit reads {GgmlTypes.Readable}"]);
        if (type.Removed)
            throw new CheckpointException($"{file} has tensor '{name}' of ggml type {id} ({type.Name}), which ggml removed; " +
                "convert the model again with a current llama.cpp");
        if (!type.Readable)
            throw new CheckpointException($"{file} has tensor '{name}' stored as {type.Name}, which NeuronKit cannot dequantize yet",
                [$"NeuronKit reads {GgmlTypes.Readable}"]);
        return type;
    }
}
