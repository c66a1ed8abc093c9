using NeuronKit.Containers.Msgpack;
using NeuronKit.Edits;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Flax;

/// <summary>
/// Writes a Flax msgpack file with some arrays cut smaller: each cut array's extension written again as Flax writes one
/// ([shape, dtype name, bytes], in msgpack's smallest forms), every other byte of the file copied as it is. msgpack
/// counts a map's entries, not its bytes, so nothing else changes. An optimizer's moments of a cut array (optax's mu and
/// nu under <c>opt_state</c>) lose the same indices, so that training resumes from the pruned checkpoint.
/// </summary>
internal sealed class FlaxPruneWriter : IPruneWriter
{
    /// <inheritdoc/>
    public string Format => "flax";

    /// <inheritdoc/>
    public void CheckWritable(Checkpoint checkpoint)
    {
        if (checkpoint.Files.Count > 1)
            throw new RequestException($"{checkpoint.FileName} is a sharded model: prune writes one Flax file",
                ["prune the shard that holds the layer and its consumers, if one does"]);
    }

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        string file = checkpoint.FileName;
        // The file's own bytes (a chunked array's are joined from them).
        var source = checkpoint.Tensors.Select(t => t.Storage.Source).OfType<MappedFile>().FirstOrDefault()
            ?? throw new RequestException($"{file} is not a file NeuronKit can write");
        // An array's bin is the last item of its extension: the two end together.
        var extensions = new Dictionary<long, MsgpackValue>();
        Collect(MsgpackParser.Parse(source, 0, source.Length, file), extensions);
        var replaced = cuts.Select(c => (Cut: c, Extension: extensions[c.Tensor.Storage.ByteOffset + c.Tensor.Storage.ByteLength]))
            .OrderBy(r => r.Extension.Offset);
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write);
        long at = 0;
        foreach (var (cut, extension) in replaced)
        {
            source.CopyTo(at, extension.Offset - at, stream);
            var payload = MsgpackParser.Parse(source, extension.DataOffset, extension.DataOffset + extension.DataLength, $"{file} (array '{cut.Tensor.Name}')");
            WriteArray(stream, cut, payload.Items[1].Text!);
            at = extension.DataOffset + extension.DataLength;
        }
        source.CopyTo(at, source.Length - at, stream);
    }

    /// <inheritdoc/>
    public IReadOnlyList<TensorCut> Companions(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts)
    {
        // An array Flax split into chunks is read through them joined; writing it again would be chunking it as Flax does.
        if (cuts.FirstOrDefault(c => c.Tensor.Storage.Source is JoinedBytes) is { } chunked)
            throw new RequestException($"{chunked.Tensor.Name} is an array Flax split into chunks (over 2^30 bytes), which prune does not rewrite",
                ["ablate with neuron edit --zero --outgoing instead"]);
        var byName = cuts.ToDictionary(c => c.Tensor.Name, StringComparer.Ordinal);
        string prefix = FlaxReader.OptimizerState + ".";
        var parameters = checkpoint.Tensors.Where(t => !t.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var companions = new List<TensorCut>();
        foreach (var state in checkpoint.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (Mirrored(state.Name, parameters) is not { } name || !byName.TryGetValue(name, out var cut)) continue;
            if (!state.Shape.SequenceEqual(cut.Tensor.Shape))
                throw new RequestException($"{state.Name} is the optimizer's state of {name} but has the shape {state.Shape.Text()}, not " +
                    $"{cut.Tensor.Shape.Text()} (a factored moment): prune cannot cut it as {name} is cut, and training would not resume from the file",
                    ["ablate with neuron edit --zero --outgoing instead"]);
            companions.Add(TensorCut.Of(state, cut.Removed));
        }
        return companions;
    }

    // The array an optimizer's state array mirrors: the longest tail of its path that names a parameter
    // (opt_state.0.mu.Block_0.Dense_0.kernel → Block_0.Dense_0.kernel); null when none does.
    private static string? Mirrored(string state, HashSet<string> parameters)
    {
        for (int dot = state.IndexOf('.'); dot >= 0; dot = state.IndexOf('.', dot + 1))
            if (parameters.Contains(state[(dot + 1)..])) return state[(dot + 1)..];
        return null;
    }

    // Every array extension of a tree, by the offset where it ends.
    private static void Collect(MsgpackValue value, Dictionary<long, MsgpackValue> extensions)
    {
        if (value is { Kind: MsgpackKind.Extension, ExtensionType: FlaxReader.ArrayExtension }) extensions[value.DataOffset + value.DataLength] = value;
        foreach (var item in value.Items) Collect(item, extensions);
        foreach (var (_, child) in value.Entries) Collect(child, extensions);
    }

    // flax.serialization's _msgpack_ext_pack of the cut array: extension 1 of msgpack's [shape, dtype name, bytes].
    private static void WriteArray(Stream stream, TensorCut cut, string dtype)
    {
        using var head = new MemoryStream();
        var payload = new MsgpackWriter(head).Array(3).Array(cut.NewShape.Length);
        foreach (long d in cut.NewShape) payload.Integer(d);
        payload.String(dtype).BinaryHead(cut.KeptByteLength);
        new MsgpackWriter(stream).ExtensionHead(FlaxReader.ArrayExtension, head.Length + cut.KeptByteLength);
        head.WriteTo(stream);
        cut.WriteKeptBytes(stream);
    }
}
