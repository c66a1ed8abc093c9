using System.Buffers.Binary;
using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

// Layout of a .safetensors file (huggingface/safetensors README "Format", safetensors/src/tensor.rs):
//  1. u64 LE  N          header length, at most 100,000,000
//  2. N bytes            UTF-8 JSON object, may be padded with spaces:
//                          {"__metadata__": {str: str}, "<name>": {"dtype": "F16", "shape": [..], "data_offsets": [begin, end]}, …}
//  3. the byte buffer    tensor bytes, little-endian, row-major; data_offsets are relative to its start (file offset 8 + N),
//                        end exclusive; sorted by offset the tensors tile the buffer exactly, and the file ends with it.
// A sharded model adds model.safetensors.index.json: {"metadata": {"total_size": …}, "weight_map": {"<name>": "<shard file>"}}
// (huggingface_hub serialization/_base.py); every shard is a safetensors file of its own. transformers' older
// pytorch_model.bin.index.json is the same JSON over torch.save shards (PyTorchShards), flax_model.msgpack.index.json
// over Flax's (FlaxShards).

/// <summary>
/// Reads safetensors files, and sharded models through their index (opening the index or any shard it lists), lazily:
/// only headers are read, tensors are views of the mapped files.
/// </summary>
public sealed partial class SafetensorsReader : ICheckpointReader
{
    private const string IndexSuffix = ".index.json";

    /// <inheritdoc/>
    public string Name => "safetensors";

    /// <inheritdoc/>
    public string Description => "safetensors files (.safetensors), and sharded models by their model.safetensors.index.json or any shard; " +
        "weights quantized by GPTQ, AWQ, bitsandbytes, compressed-tensors, FP8, NVFP4, MXFP4, MLX or BitNet read as the weights they stand for";

    /// <inheritdoc/>
    public bool Detect(ReadOnlySpan<byte> head) => IsSafetensors(head) || IsIndex(head);

    /// <inheritdoc/>
    public Checkpoint Open(string path)
    {
        if (IsIndex(Head(path)))
        {
            var index = SafetensorsIndex.Read(path);
            return HoldsTorchShards(index) ? PyTorch.PyTorchShards.Open(path, index)
                : Flax.FlaxShards.Hold(index) ? Flax.FlaxShards.Open(path, index)
                : SafetensorsShards.Open(path, index);
        }
        var file = ByteSources.Open(path);
        try
        {
            string fileName = ByteSources.FileName(path);
            var contents = SafetensorsHeader.Read(file, fileName);
            if (FindIndexListing(path) is { } index)
            {
                file.Dispose();
                return SafetensorsShards.Open(path, index);
            }
            return new Checkpoint(path, Name, QuantizedWeights.Decode(contents.Tensors, path), [file], contents.Metadata);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    // A header length under 2^32 (its top four bytes zero: not text, not GGUF's magic + version) followed by the JSON
    // object's '{', which JSON whitespace may precede (safetensors PR #686). A length above the 100 MB cap is still
    // claimed, so Open can say what is wrong.
    internal static bool IsSafetensors(ReadOnlySpan<byte> head)
    {
        if (head.Length < 9) return false;
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(head);
        if (length < 2 || length > uint.MaxValue) return false;
        var json = head[8..].TrimStart(" \t\r\n"u8);
        return json.Length > 0 && json[0] == (byte)'{';
    }

    // An index is a JSON object whose first key is one of the two an index has (transformers writes them sorted).
    private static bool IsIndex(ReadOnlySpan<byte> head)
    {
        var json = head.TrimStart(" \t\r\n"u8);
        if (json.Length == 0 || json[0] != (byte)'{') return false;
        json = json[1..].TrimStart(" \t\r\n"u8);
        return json.StartsWith("\"weight_map\""u8) || json.StartsWith("\"metadata\""u8);
    }

    // transformers' pytorch_model.bin.index.json lists torch.save shards: told by the first shard's bytes, unless its name
    // says safetensors (then each shard must be one).
    private static bool HoldsTorchShards(SafetensorsIndex index)
    {
        if (index.Shards.Count == 0 || index.Shards[0].EndsWith(".safetensors", StringComparison.Ordinal)) return false;
        index.CheckShardFile(index.Shards[0]);
        return new PyTorch.PyTorchReader().Detect(Head(index.ShardPath(index.Shards[0])));
    }

    /// <summary>The first 64 bytes of the file at <paramref name="path"/> (fewer in a shorter file).</summary>
    internal static byte[] Head(string path)
    {
        if (ByteSources.IsUrl(path))
        {
            using var source = ByteSources.Open(path);
            return source.Span(0, (int)Math.Min(64, source.Length)).ToArray();
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var head = new byte[64];
            return head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path} cannot be read: {e.Message}", inner: e);
        }
    }

    // A shard opened on its own stands for its whole model when an index beside it lists it. A URL's folder cannot be
    // listed: beside a shard named as transformers names them (model-00001-of-00002.safetensors), the index it names
    // (model.safetensors.index.json) is tried; otherwise the shard is read alone.
    private static SafetensorsIndex? FindIndexListing(string path)
    {
        if (ByteSources.IsUrl(path))
        {
            string name = ByteSources.FileName(path), model = ModelFiles.GroupOf(name);
            if (model == name) return null; // not named as a shard
            string candidate = ByteSources.Sibling(path, model + IndexSuffix);
            byte[] bytes;
            try
            {
                bytes = SafetensorsIndex.ReadSmallFile(candidate);
            }
            catch (CheckpointException)
            {
                return null; // no such index (or none readable): as a folder without one
            }
            return IsIndex(bytes) && SafetensorsIndex.Lists(bytes, ByteSources.FileName(path)) ? SafetensorsIndex.Read(candidate, bytes) : null;
        }
        string fileName = Path.GetFileName(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(folder, "*" + IndexSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a folder that cannot be listed (opened but not readable) shows no index
        }
        var listing = candidates
            .Where(candidate => IsIndex(Head(candidate)) && SafetensorsIndex.Lists(SafetensorsIndex.ReadSmallFile(candidate), fileName))
            .Select(candidate => SafetensorsIndex.Read(candidate))
            .ToList();
        return listing.Count switch
        {
            0 => null,
            1 => listing[0],
            _ => throw new CheckpointException($"{fileName} is a shard of {listing.Count} indexes in its folder " +
                $"({string.Join(", ", listing.Select(i => i.FileName))}); open the index of the model you mean"),
        };
    }
}
