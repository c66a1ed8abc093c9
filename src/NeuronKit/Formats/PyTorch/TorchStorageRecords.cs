using NeuronKit.Containers.Pickle;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>Where a torch file keeps the bytes of the storage a persistent id names: a zip record, or a legacy run.</summary>
internal abstract class TorchStorageRecords
{
    /// <summary>
    /// The storage <paramref name="storage"/> names, which must hold exactly <paramref name="byteLength"/> bytes.
    /// Throws <see cref="CheckpointException"/> when the record is missing or of another size.
    /// </summary>
    public abstract TensorStorage Open(PickleStorageRef storage, long byteLength);

    /// <summary>Buffers made while opening (inflated records), which the checkpoint must dispose.</summary>
    public List<IDisposable> Owned { get; } = [];
}
