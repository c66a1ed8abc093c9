using System.Buffers.Binary;
using System.Globalization;
using NeuronKit.Containers.Msgpack;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Flax;

// Layout of Flax's parameter files (flax/serialization.py: to_bytes, msgpack_serialize, _msgpack_ext_pack):
//  the state dict of a tree (nested maps of string keys; a list's items under "0", "1", …) packed by msgpack;
//  each array an extension of type 1 (a NumPy scalar: type 3, shape []) whose bytes are msgpack again: [shape, dtype
//  name, bin of the array's C-order bytes], in the byte order of the machine that wrote them (little-endian: x86, ARM);
//  an array over 2^30 bytes split into {"__msgpack_chunked_array__": true, "shape": {…}, "chunks": {"0": array, …}},
//  read as one array whose bytes are the chunks' in order.
//  flax.training's checkpoints hold a TrainState: {"step", "params", "opt_state", "batch_stats"?}; transformers'
//  flax_model.msgpack holds the params collection's tree itself ({"bert": {…}}).

/// <summary>
/// Reads Flax's msgpack parameter files lazily: the tree's structure is parsed (never a bin's bytes), each array maps
/// where its bytes lie, named by its path (<c>dense.kernel</c>). The <c>params</c> and <c>batch_stats</c> collections of a
/// training checkpoint give their layers' names without the collection, so a BatchNorm's scale and bias (params) meet
/// its mean and var (batch_stats); the optimizer's state is kept apart.
/// </summary>
public sealed class FlaxReader : ICheckpointReader
{
    internal const sbyte ArrayExtension = 1;
    private const sbyte ScalarExtension = 3;
    private const string ChunkedMarker = "__msgpack_chunked_array__";

    // The collections of a Flax variables tree whose layers are named without them; and the optimizer's state.
    private static readonly string[] LayerCollections = ["params", "batch_stats"];
    internal const string OptimizerState = "opt_state";

    /// <inheritdoc/>
    public string Name => "flax";

    /// <inheritdoc/>
    public string Description => "Flax parameters as flax.serialization writes them (msgpack: transformers' flax_model.msgpack and its shards by their index.json, flax.training checkpoints)";

    /// <inheritdoc/>
    public bool Detect(ReadOnlySpan<byte> head)
    {
        // A map (fixmap of 1 to 15 entries, map 16, map 32) whose first key is a string: a pickle (0x80, then its
        // protocol number), an HDF5 signature (0x89 'H') or a TorchSharp count never continue so.
        int key = head.Length == 0 ? -1 : head[0] switch
        {
            >= 0x81 and <= 0x8f => 1,
            0xde => 3,
            0xdf => 5,
            _ => -1,
        };
        return key > 0 && head.Length > key && head[key] is >= 0xa0 and <= 0xbf or 0xd9 or 0xda or 0xdb;
    }

    /// <inheritdoc/>
    public Checkpoint Open(string path)
    {
        string file = ByteSources.FileName(path);
        var source = ByteSources.Open(path);
        try
        {
            var root = MsgpackParser.Parse(source, 0, source.Length, file);
            if (root.Kind != MsgpackKind.Map) throw new CheckpointException($"{file} holds a msgpack {root.Kind}, not the map of a Flax tree");
            var found = new Found(source, file);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool collections = root["params"] is { Kind: MsgpackKind.Map } && root.Entries.All(e => e.Key.Kind == MsgpackKind.String);
            foreach (var (key, value) in root.Entries)
            {
                string name = key.Name ?? throw new CheckpointException($"{file} has a key of msgpack type {key.Kind} at byte {key.Offset:N0}; Flax keys are strings");
                // A TrainState's step (an integer, or a NumPy scalar) is the checkpoint's, as a torch training dict's integers are.
                if (found.Integer(value, name) is { } number) metadata[name] = number.ToString(CultureInfo.InvariantCulture);
                else found.Walk(value, collections && LayerCollections.Contains(name) ? "" : name);
            }
            if (found.Tensors.Count == 0 && found.Unread.Count == 0)
                throw new CheckpointException($"{file} is msgpack but holds no Flax arrays (extensions of type 1 of [shape, dtype, bytes])");
            metadata["arrays"] = found.Tensors.Count.ToString(CultureInfo.InvariantCulture);
            if (collections) metadata["collections"] = string.Join(", ", root.Entries.Where(e => e.Value.Kind == MsgpackKind.Map).Select(e => e.Key.Text));
            return new Checkpoint(path, Name, found.Tensors, [source], metadata, new ModelGraph
            {
                UnreadTensors = found.Unread,
                NonLayerPrefixes = collections && root[OptimizerState] is not null ? [OptimizerState + "."] : [],
            });
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    // The arrays of a tree, named by path, as they are found.
    private sealed class Found(ByteSource source, string file)
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public List<TensorInfo> Tensors { get; } = [];

        public Dictionary<string, string> Unread { get; } = new(StringComparer.Ordinal);

        public void Walk(MsgpackValue value, string name)
        {
            switch (value.Kind)
            {
                case MsgpackKind.Map when value[ChunkedMarker] is not null:
                    Chunked(value, name);
                    break;
                case MsgpackKind.Map:
                    foreach (var (key, child) in value.Entries)
                        Walk(child, Join(name, key.Name ?? throw new CheckpointException($"{file} has a key of msgpack type {key.Kind} at byte {key.Offset:N0} under '{name}'; Flax keys are strings")));
                    break;
                case MsgpackKind.Array:
                    for (int i = 0; i < value.Items.Count; i++) Walk(value.Items[i], Join(name, i.ToString(CultureInfo.InvariantCulture)));
                    break;
                case MsgpackKind.Extension when value.ExtensionType == ArrayExtension:
                    Array(value, name);
                    break;
                // Numbers, NumPy scalars (an optimizer's count), strings and other extensions are a tree's settings, not weights.
            }
        }

        // An integer, or a NumPy scalar of an integer type, as a number; else null.
        public long? Integer(MsgpackValue value, string name)
        {
            if (value.Kind == MsgpackKind.Integer) return value.Integer;
            if (value is not { Kind: MsgpackKind.Extension, ExtensionType: ScalarExtension }) return null;
            var (dims, dtype, _, data) = Parts(value, name);
            if (dims.Length != 0 || dtype is not (DType.Int8 or DType.Int16 or DType.Int32 or DType.Int64 or DType.UInt8 or DType.UInt16 or DType.UInt32))
                return null;
            var bytes = source.Span(data.DataOffset, (int)data.DataLength);
            return dtype switch
            {
                DType.Int8 => (sbyte)bytes[0],
                DType.UInt8 => bytes[0],
                DType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
                DType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                DType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
                DType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            };
        }

        private static string Join(string prefix, string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

        // An array Flax split into chunks (flax/serialization.py, _chunk_array_leaves_in_place: over 2^30 bytes, the array
        // flattened and cut into 1-D arrays): its shape and chunks as maps keyed "0", "1", …; the chunks' bytes, joined in
        // order, are the array's.
        private void Chunked(MsgpackValue value, string name)
        {
            if (value["shape"] is not { Kind: MsgpackKind.Map } shape || value["chunks"] is not { Kind: MsgpackKind.Map } chunks)
                throw new CheckpointException($"{file}'s chunked array '{name}' has no map of its shape and its chunks");
            long[] dims = [.. Listed(shape, name, "shape").Select(d => d is { Kind: MsgpackKind.Integer, Integer: >= 0 } ? d.Integer
                : throw new CheckpointException($"{file}'s chunked array '{name}' has a shape that is not a list of sizes"))];
            var parts = Listed(chunks, name, "chunks").Select((chunk, k) => chunk is { Kind: MsgpackKind.Extension, ExtensionType: ArrayExtension }
                ? Parts(chunk, $"{name}, chunk {k}")
                : throw new CheckpointException($"{file}'s chunked array '{name}' has a chunk {k} that is not an array")).ToList();
            if (parts.FindIndex(p => p.DType is null) is >= 0 and var k)
            {
                Add(name, null, $"of type {parts[k].TypeName}, which NeuronKit does not read (in {parts.Count} chunks)");
                return;
            }
            var dtype = parts.Count == 0 ? null : parts[0].DType;
            if (dtype is null || parts.Any(p => p.DType != dtype || p.Dims.Length != 1))
                throw new CheckpointException($"{file}'s chunked array '{name}' has {(parts.Count == 0 ? "no chunks" : "chunks that are not 1-D arrays of one type")}");
            long bytes = parts.Sum(p => p.Data.DataLength);
            if (ByteCount(dims, dtype.Value, $"chunked array '{name}'") is var expected && expected != bytes)
                throw new CheckpointException($"{file}'s chunked array '{name}' holds {bytes:N0} bytes in {parts.Count} chunks, but {dims.Text()} of {parts[0].TypeName} is {Size(expected)}");
            var joined = new JoinedBytes(source, [.. parts.Select(p => (p.Data.DataOffset, p.Data.DataLength))]);
            Add(name, TensorInfo.Contiguous(name, dtype.Value, dims, new TensorStorage(name, joined, 0, bytes)), null);
        }

        // A map's values under the keys "0", "1", … in order: how Flax writes a tuple.
        private List<MsgpackValue> Listed(MsgpackValue map, string name, string what)
        {
            for (int k = 0; k < map.Entries.Count; k++)
                if (map.Entries[k].Key.Name != k.ToString(CultureInfo.InvariantCulture))
                    throw new CheckpointException($"{file}'s chunked array '{name}' has a {what} map whose key {k} is not \"{k}\"");
            return [.. map.Entries.Select(e => e.Value)];
        }

        // An array's extension, where its type is one NeuronKit reads; else the layer is listed as unread.
        private void Array(MsgpackValue extension, string name)
        {
            var (dims, dtype, typeName, data) = Parts(extension, name);
            if (dtype is { } known) Add(name, TensorInfo.Contiguous(name, known, dims, new TensorStorage(name, source, data.DataOffset, data.DataLength)), null);
            else Add(name, null, typeName);
        }

        // An array's or a NumPy scalar's extension: [shape, dtype name, bytes], its size checked against its shape and
        // type; the type null when NeuronKit does not read it.
        private (long[] Dims, DType? DType, string TypeName, MsgpackValue Data) Parts(MsgpackValue extension, string name)
        {
            var (shape, type, data) = Payload(extension, name);
            if (shape.Items.Any(d => d.Kind != MsgpackKind.Integer || d.Integer < 0))
                throw new CheckpointException($"{file}'s array '{name}' has a shape that is not a list of sizes");
            long[] dims = [.. shape.Items.Select(d => d.Integer)];
            // Flax writes NumPy's dtype.name (ml_dtypes' for bfloat16 and the 8-bit floats), PyTorch's names for the same types.
            if (DTypes.FromName(type.Text!) is not { } dtype) return (dims, null, type.Text!, data);
            if (ByteCount(dims, dtype, $"array '{name}'") is var bytes && bytes != data.DataLength)
                throw new CheckpointException($"{file}'s array '{name}' holds {data.DataLength:N0} bytes, but {dims.Text()} of {type.Text} is {Size(bytes)}");
            return (dims, dtype, type.Text!, data);
        }

        // The bytes an array of dims and dtype holds, null when more than a long counts; what names it when its element
        // count alone is too large.
        private long? ByteCount(long[] dims, DType dtype, string what)
        {
            long count = 1;
            foreach (long d in dims)
                count = d == 0 || count <= long.MaxValue / d ? count * d : throw new CheckpointException($"{file}'s {what} has a shape {dims.Text()} too large to be an array");
            return count > long.MaxValue / dtype.Size() ? null : count * dtype.Size();
        }

        private static string Size(long? bytes) => bytes?.ToString("N0", CultureInfo.InvariantCulture) ?? "more than any file holds";

        private (MsgpackValue Shape, MsgpackValue Type, MsgpackValue Data) Payload(MsgpackValue extension, string name)
        {
            var payload = MsgpackParser.Parse(source, extension.DataOffset, extension.DataOffset + extension.DataLength, $"{file} (array '{name}')");
            return payload is { Kind: MsgpackKind.Array, Items: [{ Kind: MsgpackKind.Array } shape, { Kind: MsgpackKind.String } type, { Kind: MsgpackKind.Binary } data] }
                ? (shape, type, data)
                : throw new CheckpointException($"{file}'s array '{name}' (at byte {extension.Offset:N0}) is not Flax's [shape, dtype, bytes]");
        }

        private void Add(string name, TensorInfo? tensor, string? unread)
        {
            if (!_names.Add(name))
                throw new CheckpointException($"{file} holds two arrays named '{name}' (its params and batch_stats collections name the same one?)");
            if (tensor is not null) Tensors.Add(tensor);
            else Unread[name] = unread!;
        }
    }
}
