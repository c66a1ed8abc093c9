using NeuronKit.Containers.Zip;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Keras;

/// <summary>
/// Writes a Keras HDF5 file (or <c>.keras</c> archive) with some weights cut smaller, as a copy of the file shrunk in
/// place: each cut dataset's kept bytes written where its data lies (the bytes it no longer uses zeroed), its dataspace
/// and layout given the new shape and size, a version 2 object header's checksums made again, and a .keras archive's
/// CRC-32 of its weights; every other byte as it was. HDF5 keeps no other record of a dataset's size, so the file stays
/// valid and keeps its size: the space a cut frees stays in it, as it does in any HDF5 file a dataset shrinks in.
/// </summary>
internal sealed class KerasPruneWriter : IPruneWriter
{
    /// <inheritdoc/>
    public string Format => "keras";

    /// <inheritdoc/>
    public void CheckWritable(Checkpoint checkpoint)
    {
        // A .keras archive zipped again with compression: its weights are inflated into memory, with no place in the file.
        if (checkpoint.Tensors.Select(t => t.Storage.Source).OfType<Containers.Zip.InflatedMember>().FirstOrDefault() is { } member)
            throw new RequestException($"{checkpoint.FileName} keeps {member.Entry} deflated: a prune would have to rewrite the archive, " +
                "which NeuronKit does for .npz files only", ["store the archive's members uncompressed, as Keras writes them (zip -0), and prune that"]);
    }

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        string name = checkpoint.FileName;
        // The file's own bytes: a compact dataset's are kept apart (UnwritableBytes), and one of those may come first.
        var source = checkpoint.Tensors.Select(t => t.Storage.Source).OfType<MappedFile>().FirstOrDefault()
            ?? throw new RequestException($"{name} is not a file NeuronKit can write");
        var datasets = KerasReader.Read(source, name).Weights.ToDictionary(w => w.Name, w => w.Dataset, StringComparer.Ordinal);
        var patches = new PatchSet();
        foreach (var cut in cuts) datasets[cut.Tensor.Name].PlanShrink(cut.NewShape, cut.KeptBytes(), patches);
        if (ZipCrcUpdate.IsZip(source)) ZipCrcUpdate.Plan(source, patches);
        File.Copy(checkpoint.Path, output);
        using var handle = File.OpenHandle(output, FileMode.Open, FileAccess.ReadWrite);
        foreach (var run in patches.Runs(source.Path)) RandomAccess.Write(handle, run.Bytes, run.Offset);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes(ModelPrune prune)
    {
        var checkpoint = prune.Model.Checkpoint;
        if (checkpoint.Tensors.Select(t => t.Storage.Source).OfType<MappedFile>().FirstOrDefault() is not { } source
            || !KerasReader.Read(source, checkpoint.FileName).Configured)
            return [];
        // A DepthwiseConv2D's config gives its depth_multiplier, which a prune keeps, not a size: its own follows its input's.
        var sized = prune.Targets.Where(t => !ConvGroups.IsChannelsLast(t.Layer)).ToList();
        if (sized.Count == 0) return [];
        string sizes = string.Join(", ", sized.Select(t => $"{t.Layer.Name} {t.Layer.NeuronCount} → {t.Layer.NeuronCount - t.Removed.Count}{Groups(prune, t.Layer, t.Removed)}"));
        return [$"the model config inside {checkpoint.FileName} still gives the layers their old sizes ({sizes}): " +
            "keras.models.load_model would build those and refuse the weights; build the model with the new sizes and load the pruned file with model.load_weights"];
    }

    // A Conv2D whose config gives groups has one fewer for each whole group of filters the prune removes: ", groups 2 → 1".
    private static string Groups(ModelPrune prune, Layers.Layer layer, IReadOnlyList<long> removed)
    {
        if (layer.Implementation is not Layers.Kinds.ChannelsLastConv
            || prune.Model.Checkpoint.Graph.Sequence.FirstOrDefault(s => s.Name == layer.Name) is not { Groups: > 1 and var groups })
            return "";
        long perGroup = layer.NeuronCount / groups, whole = removed.GroupBy(j => j / perGroup).Count(g => g.LongCount() == perGroup);
        return whole == 0 ? "" : $", groups {groups} → {groups - whole}";
    }
}
