namespace NeuronKit.Layers.Kinds;

/// <summary>ONNX's RNN operator: one block of H rows per gate in <see cref="GateTable.OnnxRnn"/>, one layer per direction.</summary>
internal sealed class OnnxRnn() : OnnxRecurrent(GateTable.OnnxRnn);
