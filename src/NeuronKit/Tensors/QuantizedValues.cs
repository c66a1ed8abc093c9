namespace NeuronKit.Tensors;

/// <summary>
/// The stored side of a view of a quantized tensor: its integers, row-major, and the scale and zero point that turn
/// each into its value, <c>(q - zero_point) * scale</c>, plus a min where the layout adds one; or, in a codebook layout,
/// its codes and the level each stands for, <c>codebook[q] * scale</c>.
/// </summary>
/// <param name="Scheme">PyTorch's name of the scheme (<c>per_tensor_affine</c>, <c>per_channel_affine</c>), or
/// <c>per_group_codebook</c>.</param>
/// <param name="Integers">The stored integers (a codebook layout's codes) of the view, row-major.</param>
/// <param name="Scales">One scale for a per-tensor scheme; else one per element of the view, its channel's.</param>
/// <param name="ZeroPoints">One zero point for a per-tensor scheme; else one per element of the view, its channel's
/// (integers, but floats for <c>per_channel_affine_float_qparams</c>); empty in a codebook layout.</param>
/// <param name="Axis">The dimension of the whole tensor the channels run along; null for a per-tensor scheme.</param>
/// <param name="Mins">Where the layout adds a min (ggml's q4_1, q4_k, …), each element's, as <see cref="Scales"/> holds
/// them: the value integer 0 decodes to, so the value is <c>(q - zero_point) * scale + min</c>; else null.</param>
/// <param name="Codebook">In a codebook layout (ggml's iq4_nl, bitsandbytes' NF4, E2M1 codes), the level of each code,
/// indexed by the code, so the value is <c>codebook[q] * scale</c>; else null.</param>
public sealed record QuantizedValues(string Scheme, long[] Integers, double[] Scales, double[] ZeroPoints, int? Axis, double[]? Mins = null,
    double[]? Codebook = null);
