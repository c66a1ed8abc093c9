using NeuronKit.Formats.Safetensors;

namespace NeuronKit.Formats.Flax;

/// <summary>
/// A Flax model transformers saved in shards (<c>save_pretrained</c> of one over <c>max_shard_size</c>, 10 GB by default):
/// <c>flax_model-00001-of-00002.msgpack</c> and on, each the params tree of some of the arrays, and
/// <c>flax_model.msgpack.index.json</c>, the index a safetensors model has, its names the tree's paths joined by
/// <c>/</c> (flatten_dict(params, sep="/")). Each shard is read as a Flax file is and must hold exactly the arrays the
/// index places in it.
/// </summary>
internal static class FlaxShards
{
    /// <summary>True when the first shard <paramref name="index"/> lists is a Flax file.</summary>
    public static bool Hold(SafetensorsIndex index)
    {
        if (index.Shards.Count == 0) return false;
        index.CheckShardFile(index.Shards[0]);
        return new FlaxReader().Detect(SafetensorsReader.Head(index.ShardPath(index.Shards[0])));
    }

    /// <summary>The whole model of <paramref name="index"/>, as a checkpoint of <paramref name="path"/>.</summary>
    public static Checkpoint Open(string path, SafetensorsIndex index)
    {
        var reader = new FlaxReader();
        var shards = new List<Checkpoint>();
        try
        {
            var tensors = new List<Tensors.TensorInfo>();
            var unread = new Dictionary<string, string>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(index.Metadata, StringComparer.Ordinal);
            foreach (var shard in index.Shards)
            {
                index.CheckShardFile(shard);
                if (!reader.Detect(SafetensorsReader.Head(index.ShardPath(shard))))
                    throw new CheckpointException($"{index.FileName} names shard '{shard}', which is not a Flax file as its first shard is");
                var part = reader.Open(index.ShardPath(shard));
                shards.Add(part);
                // The index names an array by its path joined with '/', NeuronKit by the same path joined with '.'.
                index.CheckShardHolds(shard, part.Tensors.Select(t => t.Name).Concat(part.Graph.UnreadTensors.Keys).Select(n => n.Replace('.', '/')));
                tensors.AddRange(part.Tensors);
                foreach (var (name, why) in part.Graph.UnreadTensors) unread[name] = why;
            }
            metadata["arrays"] = tensors.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            metadata["index"] = index.FileName;
            metadata["shards"] = index.Shards.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new Checkpoint(path, reader.Name, tensors, shards, metadata, new ModelGraph { UnreadTensors = unread }, files: index.Files);
        }
        catch
        {
            foreach (var shard in shards) shard.Dispose();
            throw;
        }
    }
}
