using System.Buffers;
using System.Runtime.InteropServices;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A quantized weight's values as float32 bytes: the subclass decodes a run of elements, this turns any byte range
/// into the elements it covers.
/// </summary>
internal abstract class DecodedFloats(long elements) : DecodedBytes
{
    /// <inheritdoc/>
    public sealed override long Length { get; } = elements * sizeof(float);

    /// <inheritdoc/>
    public sealed override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        long first = offset / sizeof(float), last = (offset + destination.Length - 1) / sizeof(float);
        int count = checked((int)(last - first + 1));
        var decoded = ArrayPool<float>.Shared.Rent(count);
        try
        {
            Decode(first, decoded.AsSpan(0, count));
            int skip = (int)(offset - first * sizeof(float));
            MemoryMarshal.AsBytes(decoded.AsSpan(0, count)).Slice(skip, destination.Length).CopyTo(destination);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(decoded);
        }
    }

    /// <summary>Decodes elements <paramref name="first"/> … into <paramref name="values"/> (row-major, [out, in]).</summary>
    protected abstract void Decode(long first, Span<float> values);

    /// <summary>
    /// Each column's group from a group index tensor (GPTQ's <c>g_idx</c>, compressed-tensors' <c>weight_g_idx</c>), every
    /// one checked against the <paramref name="groups"/> the scales have.
    /// </summary>
    protected static int[] GroupsOf(TensorInfo groupIndex, long groups, string weight, string role)
    {
        var values = groupIndex.View().ToDoubles();
        var of = new int[values.Length];
        for (int c = 0; c < values.Length; c++)
            of[c] = values[c] >= 0 && values[c] < groups ? (int)values[c]
                : throw new CheckpointException($"{weight}: {role}[{c}] is {values[c]}, not one of the scales' {groups} groups");
        return of;
    }
}
