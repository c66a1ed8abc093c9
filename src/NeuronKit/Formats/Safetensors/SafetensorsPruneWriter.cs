using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// Writes a safetensors file with some tensors cut smaller: the header as it was (key order, dtypes, <c>__metadata__</c>)
/// with the cut tensors' shapes and every tensor's <c>data_offsets</c> made to tile the buffer again, padded with spaces
/// to a multiple of 8 as the reference writer does; uncut tensors' bytes copied as they are, in their original order.
/// </summary>
internal sealed class SafetensorsPruneWriter : IPruneWriter
{
    /// <inheritdoc/>
    public string Format => "safetensors";

    /// <inheritdoc/>
    public void CheckWritable(Checkpoint checkpoint)
    {
        if (checkpoint.Tensors.FirstOrDefault(t => t.StoredAs is not null && t.Storage.Source is not IPartwiseCut) is { StoredAs: { } storedAs } packed)
            throw new RequestException($"{checkpoint.FileName} stores {packed.Name} as {storedAs} (its values decoded from more " +
                "than one tensor): prune rewrites safetensors files whose tensors are stored as they are read");
        if (Stored(checkpoint).Any(t => t.Storage.Source is not MappedFile { } file || file.Path != checkpoint.Path))
            throw new RequestException($"{checkpoint.FileName} is a sharded model: prune writes one safetensors file",
                ["prune the shard that holds the layer and its consumers, if one does"]);
    }

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        var source = (MappedFile)Stored(checkpoint)[0].Storage.Source;
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(source.Span(0, 8));
        var header = JsonNode.Parse(source.Span(8, (int)headerLength).ToArray())!.AsObject();
        var byName = cuts.ToDictionary(c => c.Tensor.Name);
        var order = Stored(checkpoint).OrderBy(t => t.Storage.ByteOffset).ToList();
        long offset = 0;
        var data = new List<(TensorInfo Tensor, long Length)>();
        foreach (var tensor in order)
        {
            var entry = header[tensor.Name]!.AsObject();
            long length = tensor.Storage.ByteLength;
            if (byName.TryGetValue(tensor.Name, out var cut))
            {
                entry["shape"] = new JsonArray([.. cut.NewShape.Select(d => (JsonNode)d)]);
                length = cut.NewShape.Aggregate(1L, (n, d) => n * d) * tensor.DType.Size();
            }
            entry["data_offsets"] = new JsonArray(offset, offset + length);
            data.Add((tensor, length));
            offset += length;
        }
        // Names and metadata as they were, not \u-escaped.
        var json = Encoding.UTF8.GetBytes(header.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        int padded = (json.Length + 7) / 8 * 8;
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write);
        Span<byte> length8 = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length8, padded);
        stream.Write(length8);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (tensor, _) in data)
        {
            if (byName.TryGetValue(tensor.Name, out var cut))
            {
                cut.WriteKeptBytes(stream);
                continue;
            }
            source.CopyTo(tensor.Storage.ByteOffset, tensor.Storage.ByteLength, stream);
        }
    }

    // The file's tensors: a tensor read from several (a pruning mask's original and mask) is those.
    private static List<TensorInfo> Stored(Checkpoint checkpoint) =>
        [.. checkpoint.Tensors.SelectMany(t => t.StoredParts.Count > 0 ? t.StoredParts : [t])];
}
