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
        var shards = index.OpenShards(reader, "a torch.save file", shard => reader.Open(shard, decodeLayouts: false), part => part.Tensors.Select(t => t.Name));
        try
        {
            var tensors = shards.SelectMany(s => s.Tensors).ToList();
            return new Checkpoint(path, reader.Name, QuantizedWeights.Decode(tensors, path), shards, index.MetadataWith(shards), files: index.Files)
                { ReadAtOpen = index.AsRead };
        }
        catch
        {
            foreach (var shard in shards) shard.Dispose();
            throw;
        }
    }
}
