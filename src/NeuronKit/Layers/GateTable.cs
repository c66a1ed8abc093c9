namespace NeuronKit.Layers;

/// <summary>
/// A recurrent kind's gates in storage order: PyTorch's weight_ih, or ONNX's W, holds one block of H rows per gate, in this order.
/// https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html (and GRU, RNN); https://onnx.ai/onnx/operators/onnx__LSTM.html
/// </summary>
/// <param name="Name">The class name of the multi-layer module (<c>LSTM</c>).</param>
/// <param name="CellName">The class name of the single-step cell (<c>LSTMCell</c>), whose tensors carry no <c>_l0</c>; null for ONNX.</param>
/// <param name="Gates">The gates' names in storage order; a single null for RNN, whose one block is not a gate.</param>
/// <param name="Letters">The letters for the gates (<c>i, f, g, o</c>), or "" for RNN.</param>
/// <param name="Peepholes">How many gates, from the first, have a peephole weight (ONNX LSTM's P: i, o, f).</param>
internal sealed record GateTable(string Name, string? CellName, IReadOnlyList<string?> Gates, string Letters, int Peepholes = 0)
{
    /// <summary>LSTM: input, forget, cell, output (PyTorch's W_ii|W_if|W_ig|W_io).</summary>
    public static readonly GateTable Lstm = new("LSTM", "LSTMCell", ["input", "forget", "cell", "output"], "i, f, g, o");

    /// <summary>GRU: reset, update, new (PyTorch's W_ir|W_iz|W_in).</summary>
    public static readonly GateTable Gru = new("GRU", "GRUCell", ["reset", "update", "new"], "r, z, n");

    /// <summary>Elman RNN: one block, no gates.</summary>
    public static readonly GateTable Rnn = new("RNN", "RNNCell", [null], "");

    /// <summary>ONNX LSTM: input, output, forget, cell (W = [W_i, W_o, W_f, W_c]); peepholes P = [P_i, P_o, P_f].</summary>
    public static readonly GateTable OnnxLstm = new("LSTM", null, ["input", "output", "forget", "cell"], "i, o, f, c", Peepholes: 3);

    /// <summary>ONNX GRU: update, reset, hidden (W = [W_z, W_r, W_h]).</summary>
    public static readonly GateTable OnnxGru = new("GRU", null, ["update", "reset", "hidden"], "z, r, h");

    /// <summary>ONNX RNN: one block, no gates.</summary>
    public static readonly GateTable OnnxRnn = new("RNN", null, [null], "");
}
