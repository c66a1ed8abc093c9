using System.Text.Json.Serialization;
using NeuronKit.Tensors;

namespace NeuronKit.Views.Reports;

/// <summary>
/// The stored side of a quantized part: integers nested as the values; scale and zero point a number per tensor, or
/// nested as the values per channel (then <see cref="Axis"/> is the channel axis, otherwise null); where the layout adds
/// a min (ggml's q4_1, q4_k, …), the min too, nested as the scale. A codebook layout (ggml's iq4_nl, bitsandbytes' NF4,
/// E2M1 codes) has its codes as the values, its codebook and no zero point.
/// </summary>
/// <param name="Scheme">The quantization scheme (per_tensor_affine, per_channel_affine, …).</param>
/// <param name="Values">The stored integers.</param>
/// <param name="Scale">The scale, one number or one per value.</param>
/// <param name="ZeroPoint">The zero point, one number or one per value; null in a codebook layout, and left out of the JSON.</param>
/// <param name="Axis">The channel axis of a per-channel scheme, or null.</param>
/// <param name="Min">What integer 0 decodes to, one number or one per value, where the layout adds a min; else null,
/// and left out of the JSON.</param>
/// <param name="Codebook">In a codebook layout, the level each code stands for, indexed by the code, so that each value is
/// codebook[q] · scale; else null, and left out of the JSON.</param>
public sealed record QuantizedReport(string Scheme, NestedValues Values, NestedValues Scale,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NestedValues? ZeroPoint, int? Axis,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NestedValues? Min = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NestedValues? Codebook = null)
{
    /// <summary>The report of <paramref name="quantized"/>, a part of <paramref name="shape"/>.</summary>
    public static QuantizedReport Of(QuantizedValues quantized, IReadOnlyList<long> shape) => new(
        quantized.Scheme,
        NestedValues.Of([.. quantized.Integers.Select(v => (double)v)], shape),
        quantized.Axis is null ? NestedValues.Scalar(quantized.Scales[0]) : NestedValues.Of(quantized.Scales, shape),
        quantized.Codebook is not null ? null
            : quantized.Axis is null ? NestedValues.Scalar(quantized.ZeroPoints[0]) : NestedValues.Of(quantized.ZeroPoints, shape),
        quantized.Axis,
        quantized.Mins is not { } mins ? null : quantized.Axis is null ? NestedValues.Scalar(mins[0]) : NestedValues.Of(mins, shape),
        quantized.Codebook is { } codebook ? NestedValues.Of(codebook, [codebook.Length]) : null);
}
