using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// compressed-tensors' pack-quantized checkpoints (llm-compressor's W4A16, W8A16 and W2A16, Kimi K2 Thinking's int4 experts)
/// store a Linear's weight as <c>weight_packed</c>, int32 [out, ⌈in/f⌉], f = 32 / bits integers per word (element c of
/// a row at bits (c mod f)·bits of word c / f, offset by 2^(bits−1) to be unsigned), beside <c>weight_shape</c> [out, in],
/// <c>weight_scale</c> per group [out, groups], per channel [out, 1] or per tensor, and optionally
/// <c>weight_zero_point</c> (packed the same way down the rows, [⌈out/f⌉, groups]) and <c>weight_g_idx</c> [in] (each
/// column's group, activation order). Each such weight is read as the float32 values the model computes with,
/// <c>(q − zero_point) · scale</c> (<see cref="PackedIntValues"/>; compressed-tensors' unpack_from_int32 and
/// dequantize), named <c>….weight</c>, stored as <c>int4·weight_scale</c> and so on; the other tensors are consumed.
/// The width of the integers is what the shapes allow (2, 4 or 8 bits: the widths that divide a word, which every version
/// of compressed-tensors packs alike; its newer 3-, 5-, 6- and 7-bit packs run across words, its older ones did not, and
/// the shapes cannot tell them apart); a set whose shapes fit none, or several, stays as it is.
/// </summary>
internal static class PackedIntPairs
{
    private const string Packed = ".weight_packed";
    private static readonly int[] Widths = [2, 4, 8];

    /// <summary><paramref name="tensors"/> with every packed weight read through its scales, at the place of its packed words.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        if (!tensors.Any(t => t.Name.EndsWith(Packed, StringComparison.Ordinal))) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var packed in tensors.Where(t => t.Name.EndsWith(Packed, StringComparison.Ordinal)))
        {
            string module = packed.Name[..^Packed.Length];
            TensorInfo? Part(string role) => byName.GetValueOrDefault($"{module}.{role}");
            if (byName.ContainsKey(module + ".weight") || Part("weight_shape") is not { } shape || Part("weight_scale") is not { } scale
                || Values(module, packed, shape, scale, Part("weight_zero_point"), Part("weight_g_idx")) is not { } values)
                continue;
            decoded.Add(values, packed, shape, scale, Part("weight_zero_point"), Part("weight_g_idx"));
        }
        return decoded.Replace(tensors);
    }

    // The weight's values, or null when the tensors do not fit one another.
    private static TensorInfo? Values(string module, TensorInfo packed, TensorInfo shape, TensorInfo scale, TensorInfo? zeroPoint, TensorInfo? groupIndex)
    {
        if (packed.DType != DType.Int32 || packed.Shape is not [var rows, var words] || shape.Shape is not [2]
            || shape.DType is not (DType.Int32 or DType.Int64) || scale.DType is not (DType.Float32 or DType.BFloat16 or DType.Float16))
            return null;
        var dims = shape.View().ToDoubles();
        if (dims[0] != rows || dims[1] is < 1 or > int.MaxValue) return null;
        long columns = (long)dims[1];
        var widths = Widths.Where(bits => Ceiling(columns, 32 / bits) == words).ToList();
        if (widths is not [var width]) return null;
        long groups = scale.Shape switch
        {
            [] or [1] => 1,
            [var r] when r == rows => 1,
            [var r, var g] when r == rows && g > 0 && g <= columns => g,
            _ => 0,
        };
        // Without g_idx, column c is in group c / size: the groups must tile the row.
        long size = groups == 0 ? 0 : Ceiling(columns, groups);
        if (groups == 0 || (groupIndex is null && Ceiling(columns, size) != groups)) return null;
        bool perTensor = scale.Shape is [] or [1] && rows != 1;
        if (zeroPoint is not null && (zeroPoint.DType != DType.Int32 || !zeroPoint.Shape.SequenceEqual([Ceiling(rows, 32 / width), groups]) || perTensor))
            return null;
        if (groupIndex is not null && (groupIndex.DType is not (DType.Int32 or DType.Int64) || !groupIndex.Shape.SequenceEqual([columns])))
            return null;
        var values = new PackedIntValues(module + ".weight", packed.Storage, width, rows, columns, scale, perTensor, groups, size, zeroPoint, groupIndex);
        string stored = $"int{width}·weight_scale{(zeroPoint is null ? "" : "·weight_zero_point")}{(groupIndex is null ? "" : "·weight_g_idx")}";
        return TensorInfo.Contiguous(module + ".weight", DType.Float32, [rows, columns], new TensorStorage(module + ".weight", values, 0, values.Length))
            with { StoredAs = stored };
    }

    private static long Ceiling(long length, long part) => (length + part - 1) / part;
}
