namespace NeuronKit.Formats.PyTorch;

/// <summary>A torch file's unpickled object, where its storages live, and what the container said about itself.</summary>
/// <param name="Root">The object torch.save was given.</param>
/// <param name="Records">Where each storage key's bytes are.</param>
/// <param name="Metadata">Variant, archive prefix, byte order, pickle protocol.</param>
internal sealed record TorchPickle(object? Root, TorchStorageRecords Records, IReadOnlyDictionary<string, string> Metadata);
