namespace NeuronKit.Layers;

/// <summary>
/// A recurrent kind's gates in storage order: PyTorch's weight_ih, or ONNX's W, holds one block of H rows per gate, in this order.
/// https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html (and GRU, RNN); https://onnx.ai/onnx/operators/onnx__LSTM.html
/// </summary>
/// <param name="Name">The class name of the multi-layer module (<c>LSTM</c>).</param>
/// <param name="CellName">The class name of the single-step cell (<c>LSTMCell</c>), whose tensors carry no <c>_l0</c>; null for ONNX.</param>
/// <param name="Gates">The gates in storage order; a single null for RNN, whose one block is not a gate.</param>
/// <param name="Letters">The letters for the gates (<c>i, f, g, o</c>), or "" for RNN.</param>
/// <param name="Peepholes">How many gates, from the first, have a peephole weight (ONNX LSTM's P: i, o, f).</param>
/// <param name="Unsummed">
/// The gate whose two biases the cell does not add, and why: a GRU's candidate gate, where the reset gate multiplies the
/// recurrent-side bias. Every other gate's effective bias is the sum of its input-side and recurrent-side biases.
/// </param>
internal sealed record GateTable(string Name, string? CellName, IReadOnlyList<Gate?> Gates, string Letters, int Peepholes = 0,
    (Gate Gate, string Why)? Unsummed = null)
{
    /// <summary>LSTM: input, forget, cell, output (PyTorch's W_ii|W_if|W_ig|W_io).</summary>
    public static readonly GateTable Lstm = new("LSTM", "LSTMCell", [Gate.Input, Gate.Forget, Gate.Cell, Gate.Output], "i, f, g, o");

    /// <summary>GRU: reset, update, new (PyTorch's W_ir|W_iz|W_in); n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).</summary>
    public static readonly GateTable Gru = new("GRU", "GRUCell", [Gate.Reset, Gate.Update, Gate.New], "r, z, n",
        Unsummed: (Gate.New, "the reset gate scales bias_hh"));

    /// <summary>Elman RNN: one block, no gates.</summary>
    public static readonly GateTable Rnn = new("RNN", "RNNCell", [null], "");

    /// <summary>ONNX LSTM: input, output, forget, cell (W = [W_i, W_o, W_f, W_c]); peepholes P = [P_i, P_o, P_f].</summary>
    public static readonly GateTable OnnxLstm = new("LSTM", null, [Gate.Input, Gate.Output, Gate.Forget, Gate.Cell], "i, o, f, c", Peepholes: 3);

    /// <summary>ONNX GRU with linear_before_reset = 0 (the default): h = g(W_h·X + R_h·(r ⊙ H) + Wb_h + Rb_h), so every gate's biases add.</summary>
    public static readonly GateTable OnnxGru = new("GRU", null, [Gate.Update, Gate.Reset, Gate.Hidden], "z, r, h");

    /// <summary>ONNX GRU with linear_before_reset = 1, as PyTorch exports its GRU: h = g(W_h·X + r ⊙ (R_h·H + Rb_h) + Wb_h).</summary>
    public static readonly GateTable OnnxGruLinearBeforeReset = OnnxGru with { Unsummed = (Gate.Hidden, "the reset gate scales Rb") };

    /// <summary>ONNX RNN: one block, no gates.</summary>
    public static readonly GateTable OnnxRnn = new("RNN", null, [null], "");

    /// <summary>Keras' LSTM: kernel [in, 4u] in column blocks i, f, c, o (keras/src/layers/rnn/lstm.py), one bias per gate.</summary>
    public static readonly GateTable KerasLstm = new("LSTM", null, [Gate.Input, Gate.Forget, Gate.Cell, Gate.Output], "i, f, c, o");

    /// <summary>Keras' GRU with reset_after = False: column blocks z, r, h and one bias per gate, h = tanh(W_h·x + U_h·(r ⊙ h) + b_h).</summary>
    public static readonly GateTable KerasGru = new("GRU", null, [Gate.Update, Gate.Reset, Gate.Hidden], "z, r, h");

    /// <summary>
    /// Keras' GRU with reset_after = True (its default, and cuDNN's): bias [2, 3u] holds an input and a recurrent bias per
    /// gate, and h = tanh(W_h·x + b_h + r ⊙ (U_h·h + b'_h)) (keras/src/layers/rnn/gru.py).
    /// </summary>
    public static readonly GateTable KerasGruResetAfter = KerasGru with { Unsummed = (Gate.Hidden, "the reset gate scales the recurrent bias (reset_after)") };

    /// <summary>Keras' SimpleRNN: one block, no gates.</summary>
    public static readonly GateTable KerasSimpleRnn = new("RNN", null, [null], "");
}
