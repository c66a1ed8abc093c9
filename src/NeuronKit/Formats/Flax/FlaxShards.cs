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
        // The index names an array by its path joined with '/', NeuronKit by the same path joined with '.'.
        var shards = index.OpenShards(reader, "a Flax file", reader.Open,
            part => part.Tensors.Select(t => t.Name).Concat(part.Graph.UnreadTensors.Keys).Select(n => n.Replace('.', '/')));
        try
        {
            var tensors = shards.SelectMany(s => s.Tensors).ToList();
            var metadata = index.MetadataWith(shards);
            metadata["arrays"] = tensors.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Each name is in one shard only (CheckShardHolds), so the shards' unread arrays do not collide.
            var unread = shards.SelectMany(s => s.Graph.UnreadTensors).ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal);
            return new Checkpoint(path, reader.Name, tensors, shards, metadata, new ModelGraph { UnreadTensors = unread }, files: index.Files)
                { ReadAtOpen = index.AsRead };
        }
        catch
        {
            foreach (var shard in shards) shard.Dispose();
            throw;
        }
    }
}
