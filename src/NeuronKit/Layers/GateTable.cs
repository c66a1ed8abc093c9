namespace NeuronKit.Layers;

/// <summary>
/// A recurrent kind's gates in PyTorch's storage order: weight_ih holds one block of H rows per gate, in this order.
/// https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html (and GRU, RNN)
/// </summary>
/// <param name="Name">The class name of the multi-layer module (<c>LSTM</c>).</param>
/// <param name="CellName">The class name of the single-step cell (<c>LSTMCell</c>), whose tensors carry no <c>_l0</c>.</param>
/// <param name="Gates">The gates' names in storage order; a single null for RNN, whose one block is not a gate.</param>
/// <param name="Letters">PyTorch's letters for the gates (<c>i, f, g, o</c>), or "" for RNN.</param>
internal sealed record GateTable(string Name, string CellName, IReadOnlyList<string?> Gates, string Letters)
{
    /// <summary>LSTM: input, forget, cell, output (PyTorch's W_ii|W_if|W_ig|W_io).</summary>
    public static readonly GateTable Lstm = new("LSTM", "LSTMCell", ["input", "forget", "cell", "output"], "i, f, g, o");

    /// <summary>GRU: reset, update, new (PyTorch's W_ir|W_iz|W_in).</summary>
    public static readonly GateTable Gru = new("GRU", "GRUCell", ["reset", "update", "new"], "r, z, n");

    /// <summary>Elman RNN: one block, no gates.</summary>
    public static readonly GateTable Rnn = new("RNN", "RNNCell", [null], "");
}
