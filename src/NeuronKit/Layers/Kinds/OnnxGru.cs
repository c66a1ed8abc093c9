namespace NeuronKit.Layers.Kinds;

/// <summary>ONNX's GRU operator: one block of H rows per gate in <see cref="GateTable.OnnxGru"/>, one layer per direction.</summary>
internal sealed class OnnxGru() : OnnxRecurrent(GateTable.OnnxGru);
