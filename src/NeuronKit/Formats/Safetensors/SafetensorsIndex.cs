using NeuronKit.Tensors;
using System.Text.Json;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// A sharded model's <c>model.safetensors.index.json</c> (or transformers' older <c>pytorch_model.bin.index.json</c>, the
/// same JSON over torch.save shards): which shard holds each tensor. Shard names are plain file names inside the
/// index's folder; anything that could point elsewhere is refused (security-notes §1.2, item 15).
/// </summary>
internal sealed class SafetensorsIndex
{
    private const int MaxShards = 100_000;

    private Dictionary<string, string>? _placed; // tensor → shard, as CheckShardHolds looks it up

    private SafetensorsIndex(string path, FileSnapshot? read, IReadOnlyList<KeyValuePair<string, string>> weightMap,
        IReadOnlyList<string> shards, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        AsRead = read is null ? [] : [read];
        WeightMap = weightMap;
        Shards = shards;
        Metadata = metadata;
    }

    /// <summary>The index file.</summary>
    public string Path { get; }

    /// <summary>
    /// The local index file as it was read (none over a URL), for the model's <see cref="Checkpoint.ReadAtOpen"/>: a model
    /// whose index alone is saved again (its tensors placed in other shards) is found changed too.
    /// </summary>
    public IReadOnlyList<FileSnapshot> AsRead { get; }

    /// <summary>The index's file name, as errors name it.</summary>
    public string FileName => ByteSources.FileName(Path);

    /// <summary>Tensor name → shard file name, in the index's order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> WeightMap { get; }

    /// <summary>Every shard's file name, in order of first mention.</summary>
    public IReadOnlyList<string> Shards { get; }

    /// <summary>The scalar entries of the index's <c>metadata</c> (<c>total_size</c>), as text.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Checks that shard <paramref name="shard"/> holds exactly the tensors (<paramref name="held"/>) the index places in
    /// it: none it does not list, none it places elsewhere, none missing (security-notes §1.2, item 16).
    /// </summary>
    public void CheckShardHolds(string shard, IEnumerable<string> held)
    {
        _placed ??= WeightMap.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string tensor in held)
        {
            names.Add(tensor);
            if (!_placed.TryGetValue(tensor, out var expected))
                throw new CheckpointException($"shard {shard} holds tensor '{tensor}', which {FileName} does not list");
            if (expected != shard)
                throw new CheckpointException($"shard {shard} holds tensor '{tensor}', which {FileName} places in {expected}");
        }
        var missing = WeightMap.FirstOrDefault(e => e.Value == shard && !names.Contains(e.Key));
        if (missing.Key is not null)
            throw new CheckpointException($"{FileName} places tensor '{missing.Key}' in {shard}, but {shard} does not hold it");
    }

    /// <summary>Every file of the model: the index (a full path or a URL) and its shards.</summary>
    public IReadOnlyList<string> Files => [ByteSources.Absolute(Path), .. Shards.Select(ShardPath)];

    /// <summary>The full path of shard <paramref name="shard"/>, or its URL beside an index opened by URL.</summary>
    public string ShardPath(string shard) => ByteSources.Sibling(Path, shard);

    /// <summary>
    /// Every shard opened by <paramref name="open"/>, in order: each first vouched for (<see cref="CheckShardFile"/>),
    /// recognised by <paramref name="reader"/> as the first shard was (else refused as not <paramref name="noun"/>), and
    /// checked to hold exactly what the index places in it (<see cref="CheckShardHolds"/>), its contents named the index's
    /// way by <paramref name="held"/>. On any failure the shards opened so far are closed.
    /// </summary>
    public List<Checkpoint> OpenShards(ICheckpointReader reader, string noun, Func<string, Checkpoint> open, Func<Checkpoint, IEnumerable<string>> held)
    {
        var shards = new List<Checkpoint>();
        try
        {
            foreach (var shard in Shards)
            {
                CheckShardFile(shard);
                if (!reader.Detect(SafetensorsReader.Head(ShardPath(shard))))
                    throw new CheckpointException($"{FileName} names shard '{shard}', which is not {noun} as its first shard is");
                var part = open(ShardPath(shard));
                shards.Add(part);
                CheckShardHolds(shard, held(part));
            }
            return shards;
        }
        catch
        {
            foreach (var shard in shards) shard.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The metadata of a model read through the index: the index's own, then each shard's (the first to give a key
    /// wins), and the index's name and shard count.
    /// </summary>
    public Dictionary<string, string> MetadataWith(IEnumerable<Checkpoint> shards)
    {
        var metadata = new Dictionary<string, string>(Metadata, StringComparer.Ordinal);
        foreach (var shard in shards)
            foreach (var (key, value) in shard.Metadata) metadata.TryAdd(key, value);
        metadata["index"] = FileName;
        metadata["shards"] = Shards.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return metadata;
    }

    /// <summary>
    /// True when <paramref name="bytes"/> is a JSON object whose <c>weight_map</c> names <paramref name="shard"/>; a file that is
    /// not such an index is no business of the shard's, so it does not fail here.
    /// </summary>
    public static bool Lists(byte[] bytes, string shard)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) return false;
        try
        {
            using var document = JsonDocument.Parse(bytes, SafetensorsHeader.JsonOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("weight_map", out var map) && map.ValueKind == JsonValueKind.Object
                && map.EnumerateObject().Any(e => e.Value.ValueKind == JsonValueKind.String && e.Value.GetString() == shard);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads and checks the index at <paramref name="path"/> (whose <paramref name="bytes"/> may have been read already); touches no shard.</summary>
    public static SafetensorsIndex Read(string path, byte[]? bytes = null)
    {
        string fileName = ByteSources.FileName(path);
        FileSnapshot? read = null;
        if (!ByteSources.IsUrl(path))
            try
            {
                read = FileSnapshot.Of(path); // taken before the read, so that a change made while reading shows afterwards
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CheckpointException($"{path} cannot be read: {e.Message}", inner: e);
            }
        using var document = SafetensorsHeader.Parse(bytes ?? ReadSmallFile(path), fileName, "index");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight_map", out var map))
            throw new CheckpointException($"{fileName} is JSON but not a safetensors index: it has no weight_map");
        if (map.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{fileName} has a weight_map that is a JSON {map.ValueKind.ToString().ToLowerInvariant()}, not an object");

        var weightMap = new List<KeyValuePair<string, string>>();
        var shards = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException($"{fileName} maps tensor '{entry.Name}' to a JSON {entry.Value.ValueKind.ToString().ToLowerInvariant()}, not a shard file name");
            string shard = entry.Value.GetString()!;
            CheckShardName(shard, entry.Name, fileName);
            if (seen.Add(shard))
            {
                if (shards.Count == MaxShards)
                    throw new CheckpointException($"{fileName} names more than {MaxShards:N0} shards");
                shards.Add(shard);
            }
            weightMap.Add(new(entry.Name, shard));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            foreach (var item in meta.EnumerateObject())
                if (item.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                    metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
        return new SafetensorsIndex(path, read, weightMap, shards, metadata);
    }

    /// <summary>
    /// Refuses a shard file the index may not name: only a plain file name in the index's folder, and not a symbolic link,
    /// so that an index can never make NeuronKit read outside its folder.
    /// </summary>
    public void CheckShardFile(string shard)
    {
        // Over HTTP a plain name (CheckShardName) is all it takes: it can only name a file under the index's own base URL.
        if (ByteSources.IsUrl(Path)) return;
        string path = ShardPath(shard);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
            throw new CheckpointException($"{FileName} names shard '{shard}', which is a symbolic link (to {info.LinkTarget}); refused, " +
                "shards must be plain files in the index's folder",
                ["copy the real files next to the index, e.g. huggingface-cli download --local-dir <folder>"]);
        if (!info.Exists)
            throw new CheckpointException($"{FileName} names shard '{shard}', which is not in {System.IO.Path.GetDirectoryName(path)}");
    }

    /// <summary>Reads a JSON file of at most the safetensors header cap.</summary>
    public static byte[] ReadSmallFile(string path)
    {
        if (ByteSources.IsUrl(path)) return ByteSources.ReadSmall(path, SafetensorsHeader.MaxHeaderSize, "index");
        string fileName = System.IO.Path.GetFileName(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > SafetensorsHeader.MaxHeaderSize)
                throw new CheckpointException($"{fileName} is a {stream.Length:N0}-byte index; safetensors indexes are read up to " +
                    $"{SafetensorsHeader.MaxHeaderSize:N0} bytes");
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path} cannot be read: {e.Message}", inner: e);
        }
    }

    private static void CheckShardName(string shard, string tensor, string fileName)
    {
        bool plain = shard.Length > 0 && shard != "." && shard != ".."
            && shard.IndexOfAny(['/', '\\', '\0', ':']) < 0 && !System.IO.Path.IsPathRooted(shard);
        if (!plain)
            throw new CheckpointException($"{fileName} places tensor '{tensor}' in shard '{shard.Replace("\0", "\\0")}', which is refused: " +
                "a shard must be a plain file name in the index's folder (no folders, '..', absolute paths or drives)");
    }
}
