namespace NeuronKit.Stats;

/// <summary>Which part roles are incoming weights, which are biases and which are neither.</summary>
public static class PartRoles
{
    private static readonly Dictionary<string, PartUse> Table = new(StringComparer.Ordinal)
    {
        ["weight"] = PartUse.Weight,              // Linear, Conv, ConvTranspose, Embedding; a norm's scale
        ["weight_ih"] = PartUse.Weight,           // RNN, LSTM, GRU
        ["weight_hh"] = PartUse.Weight,
        ["weight_hr"] = PartUse.Weight,           // LSTM proj_size
        ["in_proj_weight"] = PartUse.Weight,      // MultiheadAttention
        ["q_proj_weight"] = PartUse.Weight,
        ["k_proj_weight"] = PartUse.Weight,
        ["v_proj_weight"] = PartUse.Weight,
        ["tensor"] = PartUse.Weight,              // a tensor no kind claims: its row is all there is
        ["W"] = PartUse.Weight,                   // ONNX LSTM/GRU/RNN
        ["R"] = PartUse.Weight,
        ["bias"] = PartUse.Bias,
        ["bias_ih"] = PartUse.Bias,
        ["bias_hh"] = PartUse.Bias,
        ["in_proj_bias"] = PartUse.Bias,
        ["B"] = PartUse.Bias,                     // ONNX recurrent Wb and Rb
        ["bias_k"] = PartUse.Ignored,             // attention's extra key/value token, added to no unit
        ["bias_v"] = PartUse.Ignored,
        ["running_mean"] = PartUse.Ignored,       // BatchNorm statistics of the data, not parameters
        ["running_var"] = PartUse.Ignored,
        ["num_batches_tracked"] = PartUse.Ignored,
    };

    /// <summary>The use of <paramref name="role"/>; a role not in the table is a bias when its name says so, else a weight.</summary>
    public static PartUse Use(string role) =>
        Table.TryGetValue(role, out var use) ? use
        : role.Contains("bias", StringComparison.OrdinalIgnoreCase) ? PartUse.Bias
        : role.Contains("running", StringComparison.OrdinalIgnoreCase) ? PartUse.Ignored
        : PartUse.Weight;
}
