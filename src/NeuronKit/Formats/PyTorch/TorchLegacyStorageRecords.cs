using NeuronKit.Containers.Pickle;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>Storages of a legacy stream: runs of bytes located by walking the numel-prefixed records in key order.</summary>
internal sealed class TorchLegacyStorageRecords(ByteSource file, IReadOnlyDictionary<string, (long Offset, long Length)> runs,
    string fileName) : TorchStorageRecords
{
    /// <inheritdoc/>
    public override TensorStorage Open(PickleStorageRef storage, long byteLength)
    {
        if (!runs.TryGetValue(storage.Key, out var run))
            throw new CheckpointException($"{fileName} is corrupt: storage '{storage.Key}' (pickle byte {storage.Offset}) " +
                "is not in the file's list of storages");
        if (run.Length != byteLength)
            throw new CheckpointException($"{fileName} is corrupt: storage '{storage.Key}' is read as {byteLength} bytes " +
                $"but the file holds {run.Length}");
        return new TensorStorage(storage.Key, file, run.Offset, run.Length);
    }
}
