using System.Buffers.Binary;
using NeuronKit.Containers.Pickle;
using NeuronKit.Containers.Zip;
using NeuronKit.Edits;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// Writes a torch.save file with some tensors cut smaller. Zip: a new archive laid out as torch.save writes it
/// (<see cref="TorchZipWriter"/>), every record in the archive's order and copied as it is with its CRC (a deflated one,
/// from an archive zipped again by another tool, is written stored, as torch would), each cut tensor's storage record replaced
/// by its kept bytes and data.pkl rewritten by <see cref="TorchPickleCuts"/>. Legacy stream: the same pickle rewrite of
/// the fourth pickle, and each cut storage's run (numel, bytes) replaced; every other byte copied. A quantized tensor
/// (torch.quantize_per_tensor/_per_channel, a quantized module's weight) keeps its integers as they are; its per-channel
/// scales and zero points are tensors of their own, cut with it (<see cref="Companions"/>).
/// </summary>
internal sealed class PyTorchPruneWriter : IPruneWriter
{
    /// <inheritdoc/>
    public string Format => "pytorch";

    /// <inheritdoc/>
    public void CheckWritable(Checkpoint checkpoint)
    {
        if (checkpoint.Files.Count > 1)
            throw new RequestException($"{checkpoint.FileName} is a model in {checkpoint.Files.Count - 1} torch.save shards: " +
                "prune writes one torch file", ["prune the shard that holds the layer and its consumers, if one does"]);
    }

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        string fileName = checkpoint.FileName;
        var byKey = new Dictionary<string, TensorCut>(StringComparer.Ordinal);
        foreach (var cut in cuts)
            if (!byKey.TryAdd(cut.Tensor.Storage.Key, cut))
                throw new RequestException($"{cut.Tensor.Name} and {byKey[cut.Tensor.Storage.Key].Tensor.Name} share storage " +
                    $"'{cut.Tensor.Storage.Key}': cutting one would change the other", ["ablate with neuron edit --zero --outgoing instead"]);
        using var file = MappedFile.Open(checkpoint.Path);
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        if (checkpoint.Metadata.GetValueOrDefault("variant") == "legacy")
            WriteLegacy(file, fileName, byKey, stream);
        else
            WriteZip(file, fileName, checkpoint.Metadata["prefix"], byKey, stream);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes(ModelPrune prune)
    {
        var checkpoint = prune.Model.Checkpoint;
        var graph = checkpoint.Graph;
        var notes = new List<string>();
        // A pickled nn.Module keeps its sizes as attributes (out_features, hidden_size, …), which the prune leaves as they were.
        var pickled = prune.Targets.Where(t => graph.ModuleClasses.ContainsKey(t.Layer.Module ?? t.Layer.Name)).ToList();
        if (pickled.Count > 0)
            notes.Add($"the modules pickled in {checkpoint.FileName} still give the layers and their consumers their old sizes " +
                $"({string.Join(", ", pickled.Select(t => $"{t.Layer.Name} {t.Layer.NeuronCount} → {t.Layer.NeuronCount - t.Removed.Count}"))}): " +
                "torch.load builds modules whose attributes (out_features, in_channels, groups, hidden_size, …) no longer fit their weights; " +
                "build the model with the new sizes and load the pruned tensors with load_state_dict");
        // An optimizer's moments of a cut weight keep its old shape: nothing in the file says which weight each is for.
        var stale = checkpoint.Tensors.Where(t => graph.NonLayerPrefixes.Any(p => t.Name.StartsWith(p + ".", StringComparison.Ordinal))
            && t.Shape.Count > 0 && prune.Cuts.Any(c => c.Tensor.Shape.SequenceEqual(t.Shape))).ToList();
        if (stale.Count > 0)
            notes.Add($"the optimizer state in {checkpoint.FileName} is left as it was, and {stale.Count} of its tensors have the old shape " +
                $"of a pruned weight ({string.Join(", ", stale.Take(3).Select(t => $"{t.Name} {t.Shape.Text()}"))}{(stale.Count > 3 ? ", …" : "")}): " +
                "resuming training from it would fail; load the pruned weights into a new optimizer");
        return notes;
    }

    /// <inheritdoc/>
    public IReadOnlyList<TensorCut> Companions(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts)
    {
        var companions = new List<TensorCut>();
        foreach (var cut in cuts)
        {
            if (cut.Tensor.Quantization is not { Axis: { } axis } quantization || !cut.Removed.TryGetValue(axis, out var gone)) continue;
            if (quantization.ParameterTensors.Count == 0)
                throw new RequestException($"{cut.Tensor.Name} keeps its per-channel scales and zero points as lists, as " +
                    "older torch saved them: pruning rewrites them only where they are tensors",
                    ["ablate with neuron edit --zero --outgoing instead, or load and save the file with a newer torch"]);
            companions.AddRange(quantization.ParameterTensors.Select(p => TensorCut.Along(p, 0, gone)));
        }
        return companions;
    }

    private static void WriteZip(MappedFile file, string fileName, string prefix, Dictionary<string, TensorCut> cuts, Stream stream)
    {
        var zip = ZipArchiveReader.Open(file, fileName);
        var dataPkl = zip.Find($"{prefix}/data.pkl") ?? throw new CheckpointException($"{fileName} has no {prefix}/data.pkl");
        // The pickle first: whatever it refuses is refused before a byte is written.
        byte[] pickle = TorchPickleCuts.Apply(Bytes(zip, dataPkl, fileName), cuts, fileName);
        string data = $"{prefix}/data/";
        var missing = cuts.Keys.Where(k => zip.Find(data + k) is null).ToList();
        if (missing.Count > 0)
            throw new CheckpointException($"{fileName} has no record {data}{missing[0]} for '{cuts[missing[0]].Tensor.Name}'");
        using var handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var writer = new TorchZipWriter(stream);
        foreach (var entry in zip.Entries)
        {
            if (entry == dataPkl)
            {
                writer.Write(entry.Name, pickle);
                continue;
            }
            if (entry.Name.StartsWith(data, StringComparison.Ordinal) && cuts.TryGetValue(entry.Name[data.Length..], out var cut))
            {
                writer.Write(entry.Name, cut.KeptByteLength, cut.WriteKeptBytes);
                continue;
            }
            var record = zip.Read(entry);
            try
            {
                if (record.IsInPlace)
                    writer.Copy(entry.Name, handle, record.Offset, record.Length, entry.Crc32);
                else
                    writer.Write(entry.Name, record.Source, record.Offset, record.Length);
            }
            finally
            {
                if (!record.IsInPlace) record.Source.Dispose();
            }
        }
        writer.Finish();
    }

    private static byte[] Bytes(ZipArchiveReader zip, ZipEntry entry, string fileName)
    {
        if (entry.UncompressedSize > Array.MaxLength)
            throw new CheckpointException($"{fileName} has a data.pkl of {entry.UncompressedSize:N0} bytes, too large to rewrite");
        var record = zip.Read(entry);
        try
        {
            return record.Source.Span(record.Offset, (int)record.Length).ToArray();
        }
        finally
        {
            if (!record.IsInPlace) record.Source.Dispose();
        }
    }

    // Layout in TorchLegacyStream: magic, protocol, sys_info, the object, the storage keys (five pickles), then per key
    // numel:int64 LE and the storage's bytes.
    private static void WriteLegacy(MappedFile file, string fileName, Dictionary<string, TensorCut> cuts, Stream stream)
    {
        long length = file.Length;
        var allowlist = TorchAllowlist.Instance;
        long sysInfoEnd = Unpickler.Load(file, Unpickler.Load(file, Unpickler.Load(file, 0, length, fileName, allowlist).End,
            length, fileName, allowlist).End, length, fileName, allowlist).End;
        var content = Unpickler.Load(file, sysInfoEnd, length, fileName, allowlist);
        var keyList = Unpickler.Load(file, content.End, length, fileName, allowlist);
        if (keyList.Root is not PickleList keys || keys.Items.Any(k => k is not string))
            throw new CheckpointException($"{fileName} is corrupt: its last pickle is not a list of storage keys");
        if (content.End - sysInfoEnd > Array.MaxLength)
            throw new CheckpointException($"{fileName} has a pickle of {content.End - sysInfoEnd:N0} bytes, too large to rewrite");
        byte[] pickle = TorchPickleCuts.Apply(file.Span(sysInfoEnd, (int)(content.End - sysInfoEnd)).ToArray(), cuts, fileName);
        var types = new Dictionary<string, PickleStorageRef>(StringComparer.Ordinal);
        foreach (var storage in content.Storages) types.TryAdd(storage.Key, storage);

        file.CopyTo(0, sysInfoEnd, stream);
        stream.Write(pickle);
        file.CopyTo(content.End, keyList.End - content.End, stream);
        long offset = keyList.End;
        Span<byte> numel = stackalloc byte[8];
        foreach (string key in keys.Items.Cast<string>())
        {
            int elementSize = types.TryGetValue(key, out var type) && TorchTypes.ByStorageClass(type.StorageType.Name) is { } entry
                ? entry.ElementSize
                : throw new CheckpointException($"{fileName} is corrupt: storage '{key}' has no element type");
            if (offset > length - 8) throw new CheckpointException($"{fileName} is truncated at storage '{key}'");
            long bytes = checked(BinaryPrimitives.ReadInt64LittleEndian(file.Span(offset, 8)) * elementSize);
            if (bytes > length - offset - 8) throw new CheckpointException($"{fileName} is truncated at storage '{key}'");
            if (cuts.TryGetValue(key, out var cut))
            {
                BinaryPrimitives.WriteInt64LittleEndian(numel, cut.KeptByteLength / elementSize);
                stream.Write(numel);
                cut.WriteKeptBytes(stream);
            }
            else
            {
                file.CopyTo(offset, 8 + bytes, stream);
            }
            offset += 8 + bytes;
        }
        if (offset != length)
            throw new CheckpointException($"{fileName} is corrupt: it has {length - offset} bytes after its last storage");
    }
}
