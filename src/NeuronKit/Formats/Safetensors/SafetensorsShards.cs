using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// Opens every shard of an index and checks that each holds exactly the tensors the index places in it: no tensor
/// missing, none in two shards, none the index does not know (security-notes §1.2, item 16).
/// </summary>
internal static class SafetensorsShards
{
    /// <summary>The whole model of <paramref name="index"/>, as a checkpoint of <paramref name="path"/> (the index or a shard).</summary>
    public static Checkpoint Open(string path, SafetensorsIndex index)
    {
        var mapped = new List<ByteSource>();
        try
        {
            var tensors = new List<TensorInfo>();
            var metadata = new Dictionary<string, string>(index.Metadata, StringComparer.Ordinal);
            foreach (var shard in index.Shards)
            {
                index.CheckShardFile(shard);
                var file = ByteSources.Open(index.ShardPath(shard));
                mapped.Add(file);
                if (!SafetensorsReader.IsSafetensors(file.Span(0, (int)Math.Min(file.Length, 64))))
                    throw new CheckpointException($"{index.FileName} names shard '{shard}', which is not a safetensors file");
                var contents = SafetensorsHeader.Read(file, shard);
                index.CheckShardHolds(shard, contents.Tensors.Select(t => t.Name));
                tensors.AddRange(contents.Tensors);
                foreach (var (key, value) in contents.Metadata) metadata.TryAdd(key, value);
            }
            metadata["index"] = index.FileName;
            metadata["shards"] = index.Shards.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new Checkpoint(path, "safetensors", QuantizedLayouts.QuantizedWeights.Decode(tensors, path), [.. mapped], metadata,
                files: index.Files) { ReadAtOpen = index.AsRead };
        }
        catch
        {
            foreach (var file in mapped) file.Dispose();
            throw;
        }
    }
}
