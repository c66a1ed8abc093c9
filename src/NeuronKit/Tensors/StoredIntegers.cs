namespace NeuronKit.Tensors;

/// <summary>
/// Decoded values whose file keeps each as an integer under a scale and a zero point, <c>(q − z) · s</c> (plus a min in
/// some: <c>q · s + min</c>), in a layout of its own (GPTQ's and AWQ's groups, compressed-tensors', BitNet's and MLX's packs,
/// GGUF's blocks) rather than as a PyTorch or ONNX quantized tensor.
/// </summary>
internal interface IStoredIntegers
{
    /// <summary>The scheme by PyTorch's names: <c>per_group_affine</c>, <c>per_channel_affine</c>, <c>per_tensor_affine</c>.</summary>
    string Scheme { get; }

    /// <summary>The dimension of the tensor its scales change along (the inputs for groups, the rows per channel); null per tensor.</summary>
    int? Axis { get; }

    /// <summary>The integer, scale and zero point of element <paramref name="element"/> of the decoded tensor, row-major.</summary>
    (long Integer, double Scale, double ZeroPoint) StoredAt(long element);

    /// <summary>
    /// Element <paramref name="element"/>'s min, the value its integer 0 decodes to, in layouts that add one to
    /// <c>(q − z) · s</c> (ggml's q4_1, q5_1, q2_k, q4_k, q5_k); null in the others.
    /// </summary>
    double? MinAt(long element) => null;
}

/// <summary>Reads the stored side of a view of values an <see cref="IStoredIntegers"/> or <see cref="IStoredCodes"/> decodes.</summary>
internal static class StoredIntegers
{
    /// <summary>
    /// The integers, scales, zero points (and mins) of <paramref name="view"/>'s elements, row-major (per tensor, the one
    /// scale and zero point, as <see cref="QuantizedValues"/> has them), or its codes, scales and codebook; null unless its
    /// bytes are such values, or it has none.
    /// </summary>
    public static QuantizedValues? Read(TensorView view)
    {
        if (view.Storage.Source is IStoredCodes codes) return ReadCodes(view, codes);
        if (view.Storage.Source is not IStoredIntegers stored) return null;
        var elements = view.StorageElements();
        if (elements.Length == 0) return null;
        var (integers, scales, zeros) = (new long[elements.Length], new double[elements.Length], new double[elements.Length]);
        for (int i = 0; i < elements.Length; i++) (integers[i], scales[i], zeros[i]) = stored.StoredAt(elements[i]);
        double[]? mins = stored.MinAt(elements[0]) is null ? null : [.. elements.Select(e => stored.MinAt(e)!.Value)];
        return stored.Axis is null
            ? new QuantizedValues(stored.Scheme, integers, [scales[0]], [zeros[0]], null, mins is null ? null : [mins[0]])
            : new QuantizedValues(stored.Scheme, integers, scales, zeros, stored.Axis, mins);
    }

    // A codebook layout's codes and scales, with its table in place of zero points.
    private static QuantizedValues? ReadCodes(TensorView view, IStoredCodes stored)
    {
        var elements = view.StorageElements();
        if (elements.Length == 0) return null;
        var (codes, scales) = (new long[elements.Length], new double[elements.Length]);
        for (int i = 0; i < elements.Length; i++) (codes[i], scales[i]) = stored.CodeAt(elements[i]);
        return new QuantizedValues(stored.Scheme, codes, scales, [], stored.Axis, Codebook: [.. stored.Codebook]);
    }
}
