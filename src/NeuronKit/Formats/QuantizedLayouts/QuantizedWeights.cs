using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// What quantized checkpoints keep in several tensors read as the one tensor the model computes with, whether a
/// safetensors file or a torch.save state dict holds them (transformers' <c>save_pretrained</c>, AutoGPTQ and
/// bitsandbytes write either): MXFP4 pairs (<see cref="Mxfp4Pairs"/>), bitsandbytes' 4- and 8-bit weights
/// (<see cref="BitsAndBytesPairs"/>), NVFP4 codes and their scales (<see cref="Nvfp4Pairs"/>), 8-bit floats and theirs
/// (<see cref="ScaledFloat8Pairs"/>), packed integers and theirs (<see cref="PackedIntPairs"/>,
/// <see cref="GroupQuantPairs"/>, <see cref="MlxQuantPairs"/>), BitNet's ternary codes (<see cref="BitNetPairs"/>); and
/// PyTorch's reparametrized weights, kept the same way: pruning masks (<see cref="Parametrizations.PruneMasks"/>),
/// weight norm (<see cref="Parametrizations.WeightNorms"/>) and spectral norm (<see cref="Parametrizations.SpectralNorms"/>).
/// </summary>
internal static class QuantizedWeights
{
    /// <summary>
    /// <paramref name="tensors"/> (of the file at <paramref name="path"/>, beside which a config may say how they are
    /// quantized) with every quantized layout among them read as its weight, at the place of its codes.
    /// </summary>
    public static IReadOnlyList<TensorInfo> Decode(IReadOnlyList<TensorInfo> tensors, string path)
    {
        // The passes find a weight's parts by name; a damaged file may name two tensors alike, which no checkpoint does.
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (tensors.FirstOrDefault(t => !names.Add(t.Name)) is { } twice)
            throw new CheckpointException($"{ByteSources.FileName(path)} holds two tensors named '{twice.Name}'");
        if (tensors.All(StoredAlone)) return Passes(tensors, path);
        // The passes read a tensor's bytes from the start of its storage, as safetensors lays every tensor out; a torch.save
        // tensor may be a view into a shared storage, at an offset or strided. Each is handed over as a storage of its own
        // and given back as it was where no pass took it (edits and prunes write a torch.save file by its storages).
        var original = new Dictionary<TensorInfo, TensorInfo>(ReferenceEqualityComparer.Instance);
        var position = new Dictionary<TensorInfo, int>(ReferenceEqualityComparer.Instance);
        var handed = new List<TensorInfo>(tensors.Count);
        var kept = new List<TensorInfo>();
        for (int i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            position[tensor] = i;
            if (StoredAlone(tensor)) handed.Add(tensor);
            else if (Alone(tensor) is { } alone)
            {
                original[alone] = tensor;
                handed.Add(alone);
            }
            else kept.Add(tensor);
        }
        TensorInfo Back(TensorInfo handedOver) => original.GetValueOrDefault(handedOver) ?? handedOver;
        // In file order: a tensor kept from the passes goes before the first tensor after it that they gave back.
        var result = new List<TensorInfo>(tensors.Count);
        int next = 0;
        foreach (var decoded in Passes(handed, path))
        {
            var tensor = Back(decoded);
            if (tensor.StoredParts.Count > 0) tensor = tensor with { StoredParts = [.. tensor.StoredParts.Select(Back)] };
            if (position.TryGetValue(tensor, out int at))
                while (next < kept.Count && position[kept[next]] < at) result.Add(kept[next++]);
            result.Add(tensor);
        }
        result.AddRange(kept.Skip(next));
        return result;
    }

    // PyTorch's reparametrized weights (prune masks, weight norm, spectral norm) are read here too: they are kept in several tensors the
    // same way, whatever the file.
    private static IReadOnlyList<TensorInfo> Passes(IReadOnlyList<TensorInfo> tensors, string path) =>
        Parametrizations.SpectralNorms.Combine(Parametrizations.WeightNorms.Combine(Parametrizations.PruneMasks.Combine(
            BitNetPairs.Combine(MlxQuantPairs.Combine(GroupQuantPairs.Combine(PackedIntPairs.Combine(ScaledFloat8Pairs.Combine(
                Nvfp4Pairs.Combine(BitsAndBytesPairs.Combine(Mxfp4Pairs.Combine(tensors))))), path), path), path))));

    // True when the tensor's bytes are its storage's, start to end, row by row (every safetensors tensor), or the
    // tensor is decoded already (a PyTorch quantized tensor), which no pass takes apart.
    private static bool StoredAlone(TensorInfo tensor) =>
        tensor.StoredAs is not null || tensor.Quantization is not null
        || tensor.StorageOffset == 0 && tensor.Storage.ByteLength == tensor.ByteSize && tensor.Strides.SequenceEqual(TensorInfo.ContiguousStrides(tensor.Shape));

    // The tensor over bytes of its own: a run of its storage, or its elements gathered; null for a view with more
    // elements than its storage holds (stride 0 repeats them), which no quantized layout stores and whose gathered
    // bytes would outgrow the file that a pass may read whole.
    private static TensorInfo? Alone(TensorInfo tensor)
    {
        int size = tensor.DType.Size();
        if (tensor.ElementCount > tensor.Storage.ByteLength / size) return null;
        long bytes = tensor.ElementCount * size;
        var storage = tensor.Strides.SequenceEqual(TensorInfo.ContiguousStrides(tensor.Shape))
            ? tensor.Storage with { ByteOffset = tensor.Storage.ByteOffset + tensor.StorageOffset * size, ByteLength = bytes }
            : new TensorStorage(tensor.Storage.Key, new GatheredBytes(tensor.View()), 0, bytes);
        return TensorInfo.Contiguous(tensor.Name, tensor.DType, [.. tensor.Shape], storage);
    }
}
