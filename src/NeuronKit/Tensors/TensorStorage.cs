namespace NeuronKit.Tensors;

/// <summary>
/// A run of bytes that one or more tensors view, as PyTorch's storages are shared by tied weights and slices.
/// </summary>
/// <param name="Key">The format's name for the storage (a PyTorch record key), unique within a checkpoint.</param>
/// <param name="Source">The bytes the storage lives in.</param>
/// <param name="ByteOffset">Where the storage starts in <paramref name="Source"/>.</param>
/// <param name="ByteLength">How many bytes it holds; checked against the source when the file was opened.</param>
public sealed record TensorStorage(string Key, ByteSource Source, long ByteOffset, long ByteLength);
