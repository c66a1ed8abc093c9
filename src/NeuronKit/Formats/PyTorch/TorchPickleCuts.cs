using NeuronKit.Containers.Pickle;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// Rewrites a torch pickle for cut tensors: each cut tensor's rebuild arguments (storage, storage_offset, size, stride,
/// …) get offset 0, the new size and its contiguous strides, and its storage's persistent id
/// <c>('storage', Type, key, location, numel)</c> the new numel; every other opcode is kept as it was. A storage is
/// rewritten only when exactly one tensor reads it through one persistent id: a view into a storage that others read
/// too would change them as well.
/// </summary>
internal static class TorchPickleCuts
{
    /// <summary>The pickle with <paramref name="cuts"/> (by storage key) applied; throws <see cref="RequestException"/> for what cannot be done safely.</summary>
    public static byte[] Apply(byte[] pickle, IReadOnlyDictionary<string, TensorCut> cuts, string fileName)
    {
        var trace = PickleTrace.Of(pickle, fileName);
        var replacements = new List<PickleSplice.Replacement>();
        foreach (var (key, cut) in cuts)
        {
            string name = cut.Tensor.Name;
            var ids = trace.PersistentIds.Where(p => Key(p) == key).ToList();
            var calls = trace.Tuples.Where(t => t.Items is { Length: >= 4 } items && ids.Contains(items[0])).ToList();
            if (ids.Count != 1 || calls.Count != 1 || ids[0].Fetched || ids[0].Items![0].Fetched || calls[0].Fetched)
                throw new RequestException($"{name} is a view into storage '{key}', which {Math.Max(ids.Count, calls.Count)} places in " +
                    $"{fileName} read: cutting it would change what the others read", ["ablate with neuron edit --zero --outgoing instead"]);
            var pid = ids[0].Items![0].Items!;
            var args = calls[0].Items!;
            var shape = cut.NewShape;
            if (pid.Length < 5 || pid[4].Value is not long || args[1].Value is not long
                || !IsIntTuple(args[2], shape.Length) || !IsIntTuple(args[3], shape.Length))
                throw new CheckpointException($"{fileName}: the rebuild of '{name}' is not (storage, offset, size, stride, …) as read before");
            bool untyped = pid[1].Value is string type && type.EndsWith("." + TorchTypes.UntypedStorage, StringComparison.Ordinal);
            long elements = shape.Aggregate(1L, (n, d) => n * d);
            long numel = untyped ? elements * cut.StoredElementSize : elements;
            foreach (var (node, bytes) in new[]
                     {
                         (pid[4], PickleSplice.Int(numel)),
                         (args[1], PickleSplice.Int(0)),
                         (args[2], PickleSplice.IntTuple(shape)),
                         (args[3], PickleSplice.IntTuple(TensorInfo.ContiguousStrides(shape))),
                     })
            {
                if (node.Fetched || trace.MemoPuts.Any(p => p >= node.Start && p < node.End))
                    throw new RequestException($"{fileName} shares a value of '{name}''s rebuild (pickle bytes {node.Start}..{node.End}) through its memo: " +
                        "changing it would change the others", ["ablate with neuron edit --zero --outgoing instead"]);
                replacements.Add(new PickleSplice.Replacement(node.Start, node.End, bytes));
            }
        }
        return PickleSplice.Apply(pickle, replacements, trace.Frames, fileName);
    }

    private static string? Key(PickleTrace.Node persistentId) =>
        persistentId.Items![0].Items is { Length: >= 5 } pid && pid[0].Value is "storage" && pid[2].Value is string key ? key : null;

    private static bool IsIntTuple(PickleTrace.Node node, int rank) =>
        node.Items is { } items && items.Length == rank && items.All(i => i.Value is long);
}
