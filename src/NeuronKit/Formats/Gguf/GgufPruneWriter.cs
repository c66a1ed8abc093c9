using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Writes a GGUF file with some tensors cut smaller: the header as it was (version, every metadata entry byte for byte but
/// the sizes llama.cpp reads for the cut layers), the tensor infos with the new ne and offsets laid out again with the
/// file's <c>general.alignment</c>, uncut tensors' bytes copied as they are. A quantized tensor that loses whole rows
/// keeps its other rows' blocks; one that loses columns is quantized again with ggml's reference quantizer, which needs
/// the new row length to be whole blocks. Cut tensors are written a row at a time: memory stays flat however many go.
/// </summary>
internal sealed partial class GgufPruneWriter : IPruneWriter
{
    // The metadata llama.cpp reads a cut size from (src/llama-model.cpp, load_hparams: ml.get_key_or_arr(
    // LLM_KV_FEED_FORWARD_LENGTH, hparams.n_ff_arr, n_layer)): one value, or one per layer. The tensor, and which of its
    // dimensions (PyTorch order) is that size.
    private static readonly (Regex Tensor, int Dim, string Key)[] SizeKeys =
    [
        (FeedForwardIn(), 0, "{arch}.feed_forward_length"),   // ffn_up, ffn_gate [n_ff, n_embd]
        (FeedForwardOut(), 1, "{arch}.feed_forward_length"),  // ffn_down [n_embd, n_ff]
    ];

    // llama.cpp's gated feed-forward multiplies ffn_gate(x) and ffn_up(x) element by element: a unit is a row of both.
    private static readonly (Regex Tensor, string Sibling)[] Siblings =
    [
        (FeedForwardUp(), "{b}ffn_gate.{role}"),
        (FeedForwardGate(), "{b}ffn_up.{role}"),
    ];

    // llama.cpp sizes every attention head of every block from one value (the head size: {arch}.attention.key_length and
    // value_length, else embedding_length ÷ head_count) and refuses a tensor of any other shape (llama-model.cpp,
    // create_tensor: attn_v is {n_embd, n_embd_head_v · n_head_kv}, attn_output {n_embd_head_k · n_head, n_embd}). No
    // metadata can state a block's heads with a row fewer: the tensor, and which of its dimensions (PyTorch order) is heads.
    private static readonly (Regex Tensor, int Dim)[] HeadSized =
    [
        (AttentionIn(), 0),    // attn_q, attn_k, attn_v, attn_qkv [heads · head size, n_embd], their biases
        (AttentionOut(), 1),   // attn_output [n_embd, heads · head size]
    ];

    // The cuts whose size a prune restates as {arch}.feed_forward_length: a unit is a row of ffn_up and ffn_gate (their
    // biases' entry, a BitNet ffn_sub_norm's) and a column of ffn_down.
    private static readonly (Regex Tensor, int Dim)[] Restated =
    [
        (FeedForwardUnits(), 0),
        (FeedForwardOut(), 1),
    ];

    /// <inheritdoc/>
    public string Format => "gguf";

    /// <inheritdoc/>
    /// <remarks>Also refuses, before anything is written, a quantized tensor whose rows would stop being whole blocks.</remarks>
    public IReadOnlyList<TensorCut> Companions(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts)
    {
        if (GgufSplits.CountOf(checkpoint.Metadata, checkpoint.FileName) is { } splits)
            throw new RequestException($"{checkpoint.FileName} is one of {splits} splits of a model: prune writes one " +
                "GGUF file", ["merge the splits first: llama-gguf-split --merge FIRST.gguf MERGED.gguf"]);
        foreach (var cut in cuts)
            foreach (var (pattern, dim) in HeadSized)
                if (pattern.Match(cut.Tensor.Name) is { Success: true } match && cut.Removed.ContainsKey(dim))
                    throw new RequestException($"{cut.Tensor.Name} would lose {Units(cut.Removed[dim].Count)} of llama.cpp's attention " +
                        $"heads: llama.cpp sizes every head of every block from one head size and loads no tensor of another shape, " +
                        $"so no metadata of {checkpoint.FileName} could state the pruned heads",
                        [$"ablate with neuron edit {match.Groups["layer"].Value} J --zero --outgoing instead"]);
        var byName = cuts.ToDictionary(c => c.Tensor.Name);
        var companions = new List<TensorCut>();
        foreach (var cut in cuts)
            foreach (var (pattern, sibling) in Siblings)
            {
                if (pattern.Match(cut.Tensor.Name) is not { Success: true } match || !cut.Removed.TryGetValue(0, out var rows)) continue;
                string name = sibling.Replace("{b}", match.Groups["b"].Value).Replace("{role}", match.Groups["role"].Value);
                if (!byName.ContainsKey(name) && checkpoint.Find(name) is { } other && other.Shape[0] == cut.Tensor.Shape[0])
                    companions.Add(TensorCut.Along(other, 0, rows));
            }
        foreach (var cut in cuts.Concat(companions))
        {
            CheckRestated(checkpoint, cut);
            if (cut.Tensor.StoredAs is { } stored && GgmlTypes.ByName(stored) is { } type) CheckColumns(cut, type);
        }
        return companions;
    }

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        string fileName = checkpoint.FileName;
        using var file = MappedFile.Open(checkpoint.Path);
        var header = GgufHeader.Read(new GgufCursor(file, fileName));
        var byName = cuts.ToDictionary(c => c.Tensor.Name);
        var data = header.Tensors.Select(t => (Info: t, Cut: byName.GetValueOrDefault(t.Name))).ToList();
        var sizes = NewSizes(header, cuts);

        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(file.Span(0, 24));   // magic, version, tensor count, metadata count: all as they were
        var cursor = new GgufCursor(file, fileName);
        cursor.Skip(24, "the header");
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(16, 8));
        for (ulong i = 0; i < count; i++)
        {
            long start = cursor.Position;
            string key = cursor.String($"metadata key {i}", long.MaxValue);
            var type = GgufMetadata.ReadType(cursor, key);
            long value = cursor.Position;
            GgufMetadata.Read(cursor, key, type);
            if (sizes.TryGetValue(key, out var changed) && header.Metadata.TryGetValue($"{header.Metadata["general.architecture"]}.block_count", out string? blocks)
                && Sizes(file.Span(value, (int)(cursor.Position - value)), type, Blocks(blocks, header, fileName)) is { } values)
            {
                foreach (var (block, size) in changed)
                    if (block < values.Values.Length) values.Values[block] = size;
                WriteSizes(writer, key, values.Element, values.Values);
            }
            else writer.Write(file.Span(start, (int)(cursor.Position - start)));
        }
        long offset = 0;
        foreach (var (info, cut) in data)
        {
            long[] ne = cut is null ? info.Ne : [.. cut.NewShape.Reverse()];
            writer.Write((ulong)Encoding.UTF8.GetByteCount(info.Name));
            writer.Write(Encoding.UTF8.GetBytes(info.Name));
            writer.Write((uint)ne.Length);
            foreach (long n in ne) writer.Write((ulong)n);
            writer.Write((uint)info.Type.Id);
            writer.Write((ulong)offset);
            offset = Pad(offset + (cut is null ? info.ByteSize : NewByteSize(info, cut)), header.Alignment);
        }
        writer.Flush();
        Zeros(stream, Pad(stream.Position, header.Alignment) - stream.Position);
        long dataStart = stream.Position;
        foreach (var (info, cut) in data)
        {
            long at = stream.Position;
            if (cut is null) file.CopyTo(header.DataStart + (long)info.Offset, info.ByteSize, stream);
            else WriteCut(info, cut, file, header.DataStart, stream);
            // The tensor infos above gave this length; bytes of another would shift every tensor after it.
            if (cut is not null && stream.Position - at != NewByteSize(info, cut))
                throw new InvalidOperationException($"{info.Name}: wrote {stream.Position - at} bytes, not the {NewByteSize(info, cut)} its info gives");
            Zeros(stream, Pad(stream.Position - dataStart, header.Alignment) - (stream.Position - dataStart));
        }
    }

    // The cut tensor's new length: its kept elements as whole blocks of its type (a plain type's block is one element).
    private static long NewByteSize(GgufTensorInfo info, TensorCut cut) =>
        cut.NewShape.Aggregate(1L, (n, d) => n * d) / info.Type.BlockSize * info.Type.TypeSize;

    // The cut tensor's new bytes, a row at a time (a 7B model's feed-forward tensors are gigabytes): a plain type's kept
    // elements; a quantized type's kept rows as whole blocks, or, when columns go, each kept row decoded and its kept
    // values quantized again.
    private static void WriteCut(GgufTensorInfo info, TensorCut cut, MappedFile file, long dataStart, Stream stream)
    {
        var type = info.Type;
        if (type.Plain is not null)
        {
            cut.WriteKeptBytes(stream);
            return;
        }
        long start = dataStart + (long)info.Offset;
        var row = new byte[checked(info.Ne[0] / type.BlockSize * type.TypeSize)];
        if (!cut.Removed.ContainsKey(cut.NewShape.Length - 1))
        {
            // A row's index is its outer indices, row-major.
            foreach (long r in OuterRows(cut))
            {
                file.Read(start + r * row.Length, row);
                stream.Write(row);
            }
            return;
        }
        CheckColumns(cut, type);
        var (decode, encode) = (type.Decoder!, type.Encoder!);
        var kept = cut.Kept[^1];
        var values = new float[info.Ne[0]];
        var keptValues = new float[kept.Count];
        var blocks = new byte[kept.Count / type.BlockSize * type.TypeSize];
        foreach (long r in OuterRows(cut))
        {
            file.Read(start + r * row.Length, row);
            for (int b = 0; b < values.Length / type.BlockSize; b++)
                decode(row.AsSpan(b * type.TypeSize, type.TypeSize), values.AsSpan(b * type.BlockSize, type.BlockSize));
            for (int k = 0; k < kept.Count; k++) keptValues[k] = values[kept[k]];
            for (int b = 0; b < keptValues.Length / type.BlockSize; b++)
                encode(keptValues.AsSpan(b * type.BlockSize, type.BlockSize), blocks.AsSpan(b * type.TypeSize, type.TypeSize));
            stream.Write(blocks);
        }
    }

    // llama.cpp gives every tensor it loads a shape from the file's metadata, and a prune restates one size there: a
    // block's feed-forward length. A cut along any other size (the embedding width every block's residual stream shares,
    // the vocabulary) would leave a file llama.cpp refuses; a file that names no architecture is no model llama.cpp loads.
    private static void CheckRestated(Checkpoint checkpoint, TensorCut cut)
    {
        var metadata = checkpoint.Metadata;
        if (!metadata.TryGetValue("general.architecture", out string? arch)) return;
        foreach (var (dim, gone) in cut.Removed)
        {
            long size = cut.Tensor.Shape[dim];
            if (Restated.Any(r => r.Dim == dim && r.Tensor.Match(cut.Tensor.Name) is { Success: true } match
                    && metadata.ContainsKey($"{arch}.block_count")
                    && FeedForwardLength(metadata.GetValueOrDefault($"{arch}.feed_forward_length"), match.Groups["b"].Value) * Halves(cut, dim, name => checkpoint.Find(name)?.Shape) == size))
                continue;
            throw new RequestException($"{cut.Tensor.Name} would lose {gone.Count} of the {size} entries of its dimension {dim}: llama.cpp " +
                $"sizes it from {checkpoint.FileName}'s metadata, and a prune restates only a block's feed-forward length " +
                $"({arch}.feed_forward_length, the units of ffn_up, ffn_gate and ffn_down), so llama.cpp would refuse the pruned file",
                ["prune feed-forward units (blk.N.ffn_up or ffn_gate), or ablate with neuron edit LAYER J --zero (--outgoing for what reads it)"]);
        }
    }

    // How many rows of the cut tensor's dimension `dim` a feed-forward unit has: 2 for a block's ffn_up that holds the gate | up
    // halves fused (Phi-3's, ChatGLM's, which llama.cpp swiglus: no ffn_gate beside it, and twice the rows ffn_down has
    // columns), 1 otherwise. `shape` gives a tensor's shape in PyTorch's order, null where the file has none of that name.
    private static int Halves(TensorCut cut, int dim, Func<string, IReadOnlyList<long>?> shape) =>
        dim == 0 && FeedForwardUp().Match(cut.Tensor.Name) is { Success: true } up && shape($"{up.Groups["b"].Value}ffn_gate.weight") is null
        && shape($"{up.Groups["b"].Value}ffn_down.weight") is [_, var units] && cut.Tensor.Shape[0] == 2 * units ? 2 : 1;

    // The feed-forward length the metadata states for block `block`: one value ("64") or one per block ("[64, 61]").
    private static long? FeedForwardLength(string? stated, string block)
    {
        if (stated is null || !int.TryParse(block, NumberStyles.None, CultureInfo.InvariantCulture, out int b)) return null;
        string[] values = stated.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries);
        string value = values.Length == 1 ? values[0] : b < values.Length ? values[b] : "";
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
    }

    private static string Units(int count) => count == 1 ? "1 unit" : $"{count} units";

    // A quantized row that loses columns is quantized again: it must stay whole blocks, of a type NeuronKit quantizes.
    private static void CheckColumns(TensorCut cut, GgmlType type)
    {
        int last = cut.NewShape.Length - 1;
        if (!cut.Removed.TryGetValue(last, out var gone)) return;
        long columns = cut.NewShape[last];
        int block = type.BlockSize;
        if (columns % block != 0)
        {
            // Only counts that remove some neurons and leave some: fewer down to a whole block, or more up to one.
            long total = cut.Tensor.Shape[last], fewer = gone.Count % block, more = block - fewer;
            var counts = new List<string>();
            if (gone.Count - fewer > 0) counts.Add($"{fewer} fewer ({gone.Count - fewer})");
            if (gone.Count + more < total) counts.Add($"{more} more ({gone.Count + more})");
            throw new RequestException($"{cut.Tensor.Name} is {type.Name}, whose rows are blocks of {block} values: removing " +
                $"{gone.Count} of its {total} columns would leave rows of {columns}, not whole blocks",
                [.. counts.Count > 0 ? [$"remove a multiple of {block} neurons: {string.Join(" or ", counts)}"] : Array.Empty<string>(),
                 $"{(counts.Count > 0 ? "or " : "")}convert the model to f16 or f32 first (llama-quantize --allow-requantize … F16), prune, then quantize again"]);
        }
        if (type.Encoder is null)
            throw new RequestException($"{cut.Tensor.Name} is {type.Name}: removing its columns means quantizing its rows again, " +
                $"and NeuronKit quantizes only {GgmlTypes.Writable} (ggml's reference quantizers)",
                ["convert the model to f16, f32, q8_0 or q4_0 first, prune, then quantize again with llama-quantize"]);
    }

    // The flat index of every kept row (every kept index over all but the last dimension), row-major.
    private static IEnumerable<long> OuterRows(TensorCut cut)
    {
        int outer = cut.Kept.Count - 1;
        var strides = TensorInfo.ContiguousStrides([.. cut.Tensor.Shape.Take(outer)]);
        var index = new int[outer];
        if (cut.Kept.Take(outer).Any(k => k.Count == 0)) yield break;
        while (true)
        {
            long row = 0;
            for (int d = 0; d < outer; d++) row += cut.Kept[d][index[d]] * strides[d];
            yield return row;
            int dim = outer - 1;
            while (dim >= 0 && ++index[dim] == cut.Kept[dim].Count) index[dim--] = 0;
            if (dim < 0) yield break;
        }
    }

    // Each size key a cut changes, with the new size of each block that changes it.
    private static Dictionary<string, Dictionary<int, long>> NewSizes(GgufHeader header, IReadOnlyList<TensorCut> cuts)
    {
        var found = new Dictionary<string, Dictionary<int, long>>(StringComparer.Ordinal);
        if (!header.Metadata.TryGetValue("general.architecture", out string? arch)) return found;
        foreach (var cut in cuts)
            foreach (var (pattern, dim, template) in SizeKeys)
            {
                if (pattern.Match(cut.Tensor.Name) is not { Success: true } match || !cut.Removed.ContainsKey(dim)) continue;
                string key = template.Replace("{arch}", arch);
                if (!found.TryGetValue(key, out var blocks)) found[key] = blocks = [];
                if (!int.TryParse(match.Groups["b"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int block))
                    throw new CheckpointException($"tensor '{cut.Tensor.Name}' names a block number too large to be one");
                blocks[block] = cut.NewShape[dim] / Halves(cut, dim, name => header.Tensors.FirstOrDefault(t => t.Name == name) is { } info ? [.. info.Ne.Reverse()] : null);
            }
        return found;
    }

    // The block count as metadata states it, which sizes the per-block arrays written: a number a hostile file could make
    // huge is held to what its tensors could fill (every block has at least one).
    private static int Blocks(string stated, GgufHeader header, string fileName) =>
        int.TryParse(stated, NumberStyles.None, CultureInfo.InvariantCulture, out int blocks) && blocks > 0 && blocks <= header.Tensors.Count
            ? blocks
            : throw new CheckpointException($"{fileName} states a block count of {stated}, which its {header.Tensors.Count} tensors cannot fill");

    // An integer size value as stored, one value or an array of them, spread over the layers; null for any other type.
    private static (GgufValueType Element, long[] Values)? Sizes(ReadOnlySpan<byte> value, GgufValueType type, int layers)
    {
        if (type == GgufValueType.Array)
        {
            var element = (GgufValueType)BinaryPrimitives.ReadUInt32LittleEndian(value);
            int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(value[4..]);
            if (IntegerSize(element) is not { } size || n != layers) return null;
            var values = new long[n];
            for (int i = 0; i < n; i++) values[i] = Integer(value.Slice(12 + i * size, size), element);
            return (element, values);
        }
        if (IntegerSize(type) is null) return null;
        return (type, [.. Enumerable.Repeat(Integer(value, type), layers)]);
    }

    private static int? IntegerSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt32 or GgufValueType.Int32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 => 8,
        _ => null,
    };

    private static long Integer(ReadOnlySpan<byte> b, GgufValueType type) => type switch
    {
        GgufValueType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        GgufValueType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        GgufValueType.UInt64 => (long)BinaryPrimitives.ReadUInt64LittleEndian(b),
        _ => BinaryPrimitives.ReadInt64LittleEndian(b),
    };

    // One value of the key's own type when every layer agrees, else an array of it with one per layer (llama.cpp reads both).
    private static void WriteSizes(BinaryWriter writer, string key, GgufValueType element, long[] values)
    {
        writer.Write((ulong)Encoding.UTF8.GetByteCount(key));
        writer.Write(Encoding.UTF8.GetBytes(key));
        if (values.Distinct().Count() == 1)
        {
            writer.Write((uint)element);
            Value(writer, element, values[0]);
            return;
        }
        writer.Write((uint)GgufValueType.Array);
        writer.Write((uint)element);
        writer.Write((ulong)values.Length);
        foreach (long v in values) Value(writer, element, v);
    }

    private static void Value(BinaryWriter writer, GgufValueType type, long value)
    {
        switch (type)
        {
            case GgufValueType.UInt64: writer.Write((ulong)value); break;
            case GgufValueType.Int64: writer.Write(value); break;
            case GgufValueType.Int32: writer.Write((int)value); break;
            default: writer.Write((uint)value); break;   // uint32, as llama.cpp's writers store it
        }
    }

    private static long Pad(long n, long alignment) => (n + alignment - 1) / alignment * alignment;

    private static void Zeros(Stream stream, long count) => stream.Write(new byte[count]);

    [GeneratedRegex(@"^(?<layer>blk\.\d+\.attn_(?:q|k|v|qkv))\.(?:weight|bias)$")]
    private static partial Regex AttentionIn();

    [GeneratedRegex(@"^(?<layer>blk\.\d+\.attn_output)\.weight$")]
    private static partial Regex AttentionOut();

    [GeneratedRegex(@"^blk\.(?<b>\d+)\.ffn_(?:up|gate)\.weight$")]
    private static partial Regex FeedForwardIn();

    [GeneratedRegex(@"^blk\.(?<b>\d+)\.ffn_(?:up|gate|sub_norm)\.(?:weight|bias)$")]
    private static partial Regex FeedForwardUnits();

    [GeneratedRegex(@"^blk\.(?<b>\d+)\.ffn_down\.weight$")]
    private static partial Regex FeedForwardOut();

    [GeneratedRegex(@"^(?<b>blk\.\d+\.)ffn_up\.(?<role>weight|bias)$")]
    private static partial Regex FeedForwardUp();

    [GeneratedRegex(@"^(?<b>blk\.\d+\.)ffn_gate\.(?<role>weight|bias)$")]
    private static partial Regex FeedForwardGate();
}
