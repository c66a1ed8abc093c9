namespace NeuronKit.Layers;

/// <summary>
/// The role a slice plays in its neuron: its name as <c>neuron show</c> prints it (PyTorch's tensor names, ONNX's input
/// names) and its <see cref="PartUse"/>. Every role a kind gives a part is one of these; statistics and output ask the
/// role what it is instead of knowing names.
/// </summary>
public sealed class PartRole
{
    private readonly PartRole? _meaning;

    private PartRole(string name, PartUse use, PartRole? meaning = null)
    {
        Name = name;
        Use = use;
        _meaning = meaning;
    }

    /// <summary>A Linear, Conv, ConvTranspose or Embedding weight, or a norm's scale.</summary>
    public static PartRole Weight { get; } = new("weight", PartUse.Weight);

    /// <summary>A bias, or a norm's shift.</summary>
    public static PartRole Bias { get; } = new("bias", PartUse.Bias);

    /// <summary>A recurrent layer's input-to-hidden weight (PyTorch).</summary>
    public static PartRole WeightIh { get; } = new("weight_ih", PartUse.Weight);

    /// <summary>A recurrent layer's hidden-to-hidden weight (PyTorch).</summary>
    public static PartRole WeightHh { get; } = new("weight_hh", PartUse.Weight);

    /// <summary>An LSTM's projection weight (<c>proj_size</c>).</summary>
    public static PartRole WeightHr { get; } = new("weight_hr", PartUse.Weight);

    /// <summary>A recurrent layer's input-side bias (PyTorch).</summary>
    public static PartRole BiasIh { get; } = new("bias_ih", PartUse.Bias);

    /// <summary>A recurrent layer's hidden-side bias (PyTorch).</summary>
    public static PartRole BiasHh { get; } = new("bias_hh", PartUse.Bias);

    /// <summary>ONNX LSTM/GRU/RNN's input weight W.</summary>
    public static PartRole W { get; } = new("W", PartUse.Weight, WeightIh);

    /// <summary>ONNX LSTM/GRU/RNN's recurrence weight R.</summary>
    public static PartRole R { get; } = new("R", PartUse.Weight, WeightHh);

    /// <summary>The input-side half of ONNX's B.</summary>
    public static PartRole Wb { get; } = new("Wb", PartUse.Bias, BiasIh);

    /// <summary>The recurrence-side half of ONNX's B.</summary>
    public static PartRole Rb { get; } = new("Rb", PartUse.Bias, BiasHh);

    /// <summary>Keras' recurrent kernel [in, G·u]: a gate block's column j is unit j's input weights.</summary>
    public static PartRole Kernel { get; } = new("kernel", PartUse.Weight, WeightIh);

    /// <summary>Keras' recurrent_kernel [u, G·u]: the hidden-to-hidden weights.</summary>
    public static PartRole RecurrentKernel { get; } = new("recurrent_kernel", PartUse.Weight, WeightHh);

    /// <summary>Row 0 of a Keras GRU's bias [2, 3u] (reset_after), the input-side bias.</summary>
    public static PartRole InputBias { get; } = new("input_bias", PartUse.Bias, BiasIh);

    /// <summary>Row 1 of a Keras GRU's bias [2, 3u] (reset_after), the recurrent-side bias.</summary>
    public static PartRole RecurrentBias { get; } = new("recurrent_bias", PartUse.Bias, BiasHh);

    /// <summary>ONNX LSTM's peephole weight P: the unit's cell state into a gate, an incoming weight too.</summary>
    public static PartRole P { get; } = new("P", PartUse.Weight);

    /// <summary>MultiheadAttention's packed q, k, v projection weight.</summary>
    public static PartRole InProjWeight { get; } = new("in_proj_weight", PartUse.Weight);

    /// <summary>MultiheadAttention's packed q, k, v projection bias.</summary>
    public static PartRole InProjBias { get; } = new("in_proj_bias", PartUse.Bias);

    /// <summary>MultiheadAttention's separate q projection (kdim or vdim differ from E).</summary>
    public static PartRole QProjWeight { get; } = new("q_proj_weight", PartUse.Weight);

    /// <summary>MultiheadAttention's separate k projection.</summary>
    public static PartRole KProjWeight { get; } = new("k_proj_weight", PartUse.Weight);

    /// <summary>MultiheadAttention's separate v projection.</summary>
    public static PartRole VProjWeight { get; } = new("v_proj_weight", PartUse.Weight);

    /// <summary>MultiheadAttention's extra key token (<c>add_bias_kv</c>), added to no unit's output.</summary>
    public static PartRole BiasK { get; } = new("bias_k", PartUse.Other);

    /// <summary>MultiheadAttention's extra value token.</summary>
    public static PartRole BiasV { get; } = new("bias_v", PartUse.Other);

    /// <summary>A PReLU's slope for negative inputs (PyTorch's weight, ONNX PRelu's slope, Keras' alpha).</summary>
    public static PartRole Slope { get; } = new("slope", PartUse.Weight, Weight);

    /// <summary>BatchNorm's running mean.</summary>
    public static PartRole RunningMean { get; } = new("running_mean", PartUse.Statistic);

    /// <summary>BatchNorm's running variance.</summary>
    public static PartRole RunningVar { get; } = new("running_var", PartUse.Statistic);

    /// <summary>The row of a tensor no kind claims: all there is, so counted as weights.</summary>
    public static PartRole Tensor { get; } = new("tensor", PartUse.Weight);

    /// <summary>The role's name: <c>weight_ih</c>, <c>Rb</c>, <c>running_var</c>.</summary>
    public string Name { get; }

    /// <summary>What the part is to its neuron.</summary>
    public PartUse Use { get; }

    /// <summary>
    /// The role as PyTorch names the same parameter, so a diff pairs an ONNX export with its module: ONNX's W is
    /// weight_ih, R weight_hh, Wb bias_ih and Rb bias_hh, a PReLU's slope its weight; every other role means itself.
    /// </summary>
    public PartRole Meaning => _meaning ?? this;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
