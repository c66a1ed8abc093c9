using System.Buffers.Binary;
using System.Numerics;
using NeuronKit.Containers.Pickle;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// Opens the legacy stream (torch &lt; 1.6, or <c>_use_new_zipfile_serialization=False</c>): five pickles, then the
/// storages back to back in the order of the last pickle's key list (torch/serialization.py _legacy_save).
/// </summary>
internal static class TorchLegacyStream
{
    /// <summary>The first pickle's value, which torch checks before anything else.</summary>
    public static readonly BigInteger MagicNumber = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);

    private const long ProtocolVersion = 1001;

    public static TorchPickle Open(ByteSource file, string fileName)
    {
        long length = file.Length;
        var allowlist = TorchAllowlist.Instance;
        var magic = Unpickler.Load(file, 0, length, fileName, allowlist);
        if (magic.Root is not BigInteger m || m != MagicNumber)
            throw new CheckpointException($"{fileName} is corrupt: its first pickle is not torch's magic number");
        var protocol = Unpickler.Load(file, magic.End, length, fileName, allowlist);
        if (protocol.Root is not long p || p != ProtocolVersion)
            throw new CheckpointException($"{fileName} has legacy protocol version {protocol.Root ?? "None"}; only {ProtocolVersion} can be read");
        var sysInfo = Unpickler.Load(file, protocol.End, length, fileName, allowlist);
        if (sysInfo.Root is PickleDict info && info.TryGet("little_endian", out var little) && little is false)
            throw new CheckpointException($"{fileName} was saved on a big-endian machine; NeuronKit reads little-endian checkpoints");
        var content = Unpickler.Load(file, sysInfo.End, length, fileName, allowlist);
        var keyList = Unpickler.Load(file, content.End, length, fileName, allowlist);
        if (keyList.Root is not PickleList keys || keys.Items.Any(k => k is not string))
            throw new CheckpointException($"{fileName} is corrupt: its last pickle is not a list of storage keys");

        var runs = Runs(file, fileName, keyList.End, keys.Items.Cast<string>().ToList(), content.Storages);
        var metadata = new Dictionary<string, string>
        {
            ["variant"] = "legacy",
            ["byteorder"] = "little",
            ["protocol"] = content.Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new TorchPickle(content.Root, new TorchLegacyStorageRecords(file, runs, fileName), metadata);
    }

    // Each storage is numel:int64 LE then its bytes; element sizes come from the storage types the pickle named.
    private static Dictionary<string, (long Offset, long Length)> Runs(ByteSource file, string fileName, long offset,
        List<string> keys, IReadOnlyList<PickleStorageRef> storages)
    {
        var declared = new Dictionary<string, PickleStorageRef>(StringComparer.Ordinal);
        foreach (var storage in storages) declared.TryAdd(storage.Key, storage);
        var runs = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        long length = file.Length;
        foreach (string key in keys)
        {
            if (!declared.TryGetValue(key, out var storage))
                throw new CheckpointException($"{fileName} is corrupt: storage '{key}' is listed but no tensor names it");
            if (runs.ContainsKey(key))
                throw new CheckpointException($"{fileName} is corrupt: storage '{key}' is listed twice");
            int elementSize = storage.StorageType.Name == TorchTypes.UntypedStorage ? 1
                : TorchTypes.ByStorageClass(storage.StorageType.Name)?.ElementSize
                  ?? throw new CheckpointException($"{fileName} is corrupt: storage '{key}' has type {storage.StorageType.FullName}, which has no element size");
            if (offset > length - 8)
                throw Truncated(fileName, key, offset + 8, length);
            long numel = BinaryPrimitives.ReadInt64LittleEndian(file.Span(offset, 8));
            if (numel != storage.Numel)
                throw new CheckpointException($"{fileName} is corrupt: storage '{key}' holds {numel} elements but its tensors declare {storage.Numel}");
            long bytes;
            try
            {
                bytes = checked(numel * elementSize);
            }
            catch (OverflowException)
            {
                throw new CheckpointException($"{fileName} is corrupt: storage '{key}' claims {numel} elements");
            }
            long start = offset + 8;
            if (bytes > length - start)
                throw Truncated(fileName, key, start + bytes, length);
            runs[key] = (start, bytes);
            offset = start + bytes;
        }
        if (offset != length)
            throw new CheckpointException($"{fileName} is corrupt: it has {length - offset} bytes after its last storage");
        return runs;
    }

    private static CheckpointException Truncated(string fileName, string key, long needed, long length) =>
        new($"{fileName} is truncated: storage '{key}' ends at byte {needed.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} but the file has {length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes");
}
