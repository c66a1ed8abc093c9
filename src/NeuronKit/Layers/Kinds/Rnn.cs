namespace NeuronKit.Layers.Kinds;

/// <summary>PyTorch's RNN and RNNCell: one block of H rows per gate in <see cref="GateTable.Rnn"/>.</summary>
internal sealed class Rnn() : Recurrent(GateTable.Rnn);
