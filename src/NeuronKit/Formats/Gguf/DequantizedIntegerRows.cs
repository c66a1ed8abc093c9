using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// A GGUF tensor of a type whose values are <c>(q − z) · scale</c> (q8_0, q4_0, q5_0, q3_k, q6_k, q2_0, tq1_0,
/// tq2_0) or <c>q · scale + min</c> (q4_1, q5_1, q2_k, q4_k, q5_k), read as <see cref="DequantizedRows"/> and with its
/// stored integers, one scale (and min) per block or sub-block along the rows, for <c>show --raw</c>.
/// </summary>
internal sealed class DequantizedIntegerRows(ByteSource source, long dataOffset, long elements, GgmlType type, int axis)
    : DequantizedRows(source, dataOffset, elements, type), IStoredIntegers
{
    /// <inheritdoc/>
    public string Scheme => "per_group_affine";

    /// <inheritdoc/>
    public int? Axis => axis;

    /// <inheritdoc/>
    public (long Integer, double Scale, double ZeroPoint) StoredAt(long element) => Stored(element);

    /// <inheritdoc/>
    public double? MinAt(long element) => Minimum(element);
}
