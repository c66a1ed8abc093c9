using NeuronKit.Containers.Pickle;
using NeuronKit.Containers.Zip;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>Storages of a zip checkpoint: record <c>&lt;prefix&gt;/data/&lt;key&gt;</c>, read in place when stored.</summary>
internal sealed class TorchZipStorageRecords(ZipArchiveReader zip, string prefix, string fileName) : TorchStorageRecords
{
    /// <inheritdoc/>
    public override TensorStorage Open(PickleStorageRef storage, long byteLength)
    {
        string name = $"{prefix}/data/{storage.Key}";
        var entry = zip.Find(name) ?? throw new CheckpointException(
            $"{fileName} is corrupt: storage '{storage.Key}' (pickle byte {storage.Offset}) has no record {name}");
        if (entry.UncompressedSize != byteLength)
            throw new CheckpointException($"{fileName} is corrupt: storage '{storage.Key}' declares {storage.Numel} elements " +
                $"({byteLength} bytes) but its record {name} holds {entry.UncompressedSize} bytes");
        var record = zip.Read(entry);
        if (!record.IsInPlace) Owned.Add(record.Source);
        return new TensorStorage(storage.Key, record.Source, record.Offset, record.Length);
    }
}
