using NeuronKit.Tensors;

namespace NeuronKit.Formats.TorchSharp;

/// <summary>One tensor record of a .dat file as the scan found it: its data are <paramref name="ByteLength"/> bytes at <paramref name="DataOffset"/>.</summary>
internal sealed record TorchSharpEntry(string Name, DType DType, long[] Shape, long DataOffset, long ByteLength);
