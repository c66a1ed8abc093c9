namespace NeuronKit.Containers.Pickle;

/// <summary>
/// A persistent id naming a storage record: <c>('storage', StorageType, key, location, numel[, None])</c>.
/// </summary>
/// <param name="StorageType">The storage class global (<c>torch.FloatStorage</c>, <c>torch.UntypedStorage</c>).</param>
/// <param name="Key">The record key (<c>"0"</c>; a pointer value in legacy files).</param>
/// <param name="Location">The device it was saved from (<c>cpu</c>, <c>cuda:0</c>).</param>
/// <param name="Numel">Elements for typed storages, bytes for <c>UntypedStorage</c>.</param>
/// <param name="Offset">The byte offset of the BINPERSID opcode, for error messages.</param>
public sealed record PickleStorageRef(PickleGlobal StorageType, string Key, string Location, long Numel, long Offset);
