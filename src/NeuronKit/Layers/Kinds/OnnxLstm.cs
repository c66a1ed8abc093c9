namespace NeuronKit.Layers.Kinds;

/// <summary>ONNX's LSTM operator: one block of H rows per gate in <see cref="GateTable.OnnxLstm"/>, one layer per direction.</summary>
internal sealed class OnnxLstm() : OnnxRecurrent(GateTable.OnnxLstm);
