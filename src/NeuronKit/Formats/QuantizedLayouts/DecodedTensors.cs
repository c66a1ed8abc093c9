using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// What one pass that reads a quantized layout as one tensor (the <c>…Pairs</c> classes) found: each weight with the
/// file's tensors it is read from, and the list it gives back.
/// </summary>
internal sealed class DecodedTensors
{
    private readonly Dictionary<string, TensorInfo> _weights = new(StringComparer.Ordinal);   // the codes' name → the weight read from them
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="weight"/>, read from <paramref name="codes"/> (whose place it takes) and <paramref name="others"/>
    /// (scales, zero points, quant states; null for those the layout goes without), which leave the list: the weight's
    /// stored bytes are theirs.
    /// </summary>
    public void Add(TensorInfo weight, TensorInfo codes, params TensorInfo?[] others)
    {
        var parts = others.OfType<TensorInfo>().ToList();
        _weights[codes.Name] = weight with { StoredParts = [codes, .. parts], ByteSize = codes.ByteSize + parts.Sum(p => p.ByteSize) };
        _consumed.UnionWith(parts.Select(p => p.Name));
    }

    /// <summary>
    /// <paramref name="tensors"/> in file order, each weight's codes replaced by the weight and its other parts left out.
    /// </summary>
    public IReadOnlyList<TensorInfo> Replace(IReadOnlyList<TensorInfo> tensors) =>
        _weights.Count == 0 ? tensors
            : [.. tensors.Where(t => !_consumed.Contains(t.Name)).Select(t => _weights.GetValueOrDefault(t.Name) ?? t)];
}
