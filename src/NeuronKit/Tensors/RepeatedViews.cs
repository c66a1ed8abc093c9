using NeuronKit.Layers;

namespace NeuronKit.Tensors;

/// <summary>
/// Views that repeat their stored values: <c>expand()</c> makes stride 0, and <c>torch.save</c> keeps the one value, so a
/// file of a few hundred bytes can hold a tensor of billions of values. Work over every value (statistics, a diff, an
/// array written out) is refused past a limit, so that such a file cannot take minutes or fill a disk: more than 64 times
/// the values its storage holds, and more than 2^28 values (a gigabyte of float32). Decoded formats (a GGUF block, a GPTQ
/// word) store values as densely as they decode them and never come near it.
/// </summary>
public static class RepeatedViews
{
    private const long Repeats = 64, Values = 1L << 28;

    /// <summary>How many values <paramref name="tensor"/>'s storage holds, when its view repeats them past the limit; else null.</summary>
    public static long? StoredValues(TensorInfo tensor)
    {
        long stored = Math.Max(tensor.Storage.ByteLength / tensor.DType.Size(), 1), elements = tensor.ElementCount;
        return elements / Repeats > stored && elements > Values ? stored : null;
    }

    /// <summary>The first of <paramref name="layer"/>'s tensors whose view repeats its values past the limit, described; else null.</summary>
    public static string? DescribeIn(Layer layer)
    {
        foreach (var tensor in layer.Tensors)
            if (StoredValues(tensor.Tensor) is { } stored) return Describe(tensor.Tensor, stored);
        return null;
    }

    /// <summary>What the tensor is: <c>'fc.qweight' [131072, 65536] holds 8,589,934,592 values but its storage 1 (…)</c>.</summary>
    public static string Describe(TensorInfo tensor, long stored) =>
        $"'{tensor.Name}' {tensor.Shape.Text()} holds {tensor.ElementCount:N0} values but its storage {stored:N0} " +
        "(a view that repeats them: stride 0, as expand() makes)";
}
