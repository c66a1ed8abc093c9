using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Formats.Safetensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// A model transformers saved as torch.save shards (<c>save_pretrained(safe_serialization=False)</c>, and every sharded
/// model before safetensors): <c>pytorch_model-00001-of-00002.bin</c> and on, each a state dict of some of the tensors,
/// and <c>pytorch_model.bin.index.json</c>, the same index as a safetensors model's. Each shard is read as any torch file
/// is (nothing in it runs) and must hold exactly the tensors the index places in it.
/// </summary>
internal static class PyTorchShards
{
    /// <summary>The whole model of <paramref name="index"/>, as a checkpoint of <paramref name="path"/>.</summary>
    public static Checkpoint Open(string path, SafetensorsIndex index)
    {
        var reader = new PyTorchReader();
        var shards = new List<Checkpoint>();
        try
        {
            var tensors = new List<Tensors.TensorInfo>();
            var metadata = new Dictionary<string, string>(index.Metadata, StringComparer.Ordinal);
            foreach (var shard in index.Shards)
            {
                index.CheckShardFile(shard);
                if (!reader.Detect(SafetensorsReader.Head(index.ShardPath(shard))))
                    throw new CheckpointException($"{index.FileName} names shard '{shard}', which is not a torch.save file as its first shard is");
                var part = reader.Open(index.ShardPath(shard), decodeLayouts: false);
                shards.Add(part);
                index.CheckShardHolds(shard, part.Tensors.Select(t => t.Name));
                tensors.AddRange(part.Tensors);
                foreach (var (key, value) in part.Metadata) metadata.TryAdd(key, value);
            }
            metadata["index"] = index.FileName;
            metadata["shards"] = index.Shards.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new Checkpoint(path, reader.Name, QuantizedWeights.Decode(tensors, path), shards, metadata, files: index.Files);
        }
        catch
        {
            foreach (var shard in shards) shard.Dispose();
            throw;
        }
    }
}
