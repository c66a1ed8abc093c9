using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// A GGUF tensor of a codebook type (iq4_nl, iq4_xs, mxfp4, nvfp4), read as <see cref="DequantizedRows"/> and with its
/// stored codes, one scale per block or sub-block along the rows and the type's levels, for <c>show --raw</c>.
/// </summary>
internal sealed class DequantizedCodeRows(ByteSource source, long dataOffset, long elements, GgmlType type, int axis)
    : DequantizedRows(source, dataOffset, elements, type), IStoredCodes
{
    /// <inheritdoc/>
    public int Axis => axis;

    /// <inheritdoc/>
    public IReadOnlyList<double> Codebook => Levels;

    /// <inheritdoc/>
    public (long Code, double Scale) CodeAt(long element) => Code(element);
}
