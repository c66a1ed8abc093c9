namespace NeuronKit.Layers.Kinds;

/// <summary>PyTorch's LSTM and LSTMCell: one block of H rows per gate in <see cref="GateTable.Lstm"/>.</summary>
internal sealed class Lstm() : Recurrent(GateTable.Lstm);
