namespace NeuronKit.Containers.Pickle;

/// <summary>The outcome of unpickling one pickle.</summary>
/// <param name="Root">The unpickled object.</param>
/// <param name="End">The offset just after its STOP opcode (where a following pickle starts).</param>
/// <param name="Protocol">The protocol its PROTO opcode declared (0 when absent).</param>
/// <param name="Storages">Every storage persistent id, in the order they appeared.</param>
public sealed record PickleResult(object? Root, long End, int Protocol, IReadOnlyList<PickleStorageRef> Storages);
