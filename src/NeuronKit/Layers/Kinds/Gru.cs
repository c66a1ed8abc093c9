namespace NeuronKit.Layers.Kinds;

/// <summary>PyTorch's GRU and GRUCell: one block of H rows per gate in <see cref="GateTable.Gru"/>.</summary>
internal sealed class Gru() : Recurrent(GateTable.Gru);
