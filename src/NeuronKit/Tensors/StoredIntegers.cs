namespace NeuronKit.Tensors;

/// <summary>
/// Decoded values whose file keeps each as an integer under a scale and a zero point, <c>(q − z) · s</c>, in a layout of
/// its own (GPTQ's and AWQ's groups, compressed-tensors' packs) rather than as a PyTorch or ONNX quantized tensor.
/// </summary>
internal interface IStoredIntegers
{
    /// <summary>The scheme by PyTorch's names: <c>per_group_affine</c>, <c>per_channel_affine</c>, <c>per_tensor_affine</c>.</summary>
    string Scheme { get; }

    /// <summary>The dimension of the tensor its scales change along (the inputs for groups, the rows per channel); null per tensor.</summary>
    int? Axis { get; }

    /// <summary>The integer, scale and zero point of element <paramref name="element"/> of the decoded tensor, row-major.</summary>
    (long Integer, double Scale, double ZeroPoint) StoredAt(long element);
}

/// <summary>Reads the stored side of a view of values an <see cref="IStoredIntegers"/> decodes.</summary>
internal static class StoredIntegers
{
    /// <summary>The integers, scales and zero points of <paramref name="view"/>'s elements, row-major; null unless its bytes are such values.</summary>
    public static QuantizedValues? Read(TensorView view)
    {
        if (view.Storage.Source is not IStoredIntegers stored) return null;
        var elements = view.StorageElements();
        var (integers, scales, zeros) = (new long[elements.Length], new double[elements.Length], new double[elements.Length]);
        for (int i = 0; i < elements.Length; i++) (integers[i], scales[i], zeros[i]) = stored.StoredAt(elements[i]);
        return new QuantizedValues(stored.Scheme, integers, scales, zeros, stored.Axis);
    }
}
