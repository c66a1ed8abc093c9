using System.Text.Json;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// GPTQ and AWQ checkpoints (AutoGPTQ/GPTQModel, AutoAWQ; Qwen's and many others' -GPTQ-Int4 and -AWQ releases) store a
/// Linear's weight as <c>qweight</c> int32 words of 4- or 8-bit integers beside <c>qzeros</c> (packed the same way) and
/// <c>scales</c> [groups, out], both per group of input rows:
/// <list type="bullet">
/// <item>GPTQ (2, 3, 4 or 8 bits): <c>qweight</c> [in·bits/32, out], packed down the inputs as a little-endian bit
/// stream per output (input i at bit i·bits of column j's words, a 3-bit value split across two words where it falls
/// so, as AutoGPTQ's pack does); <c>qzeros</c> [groups, out·bits/32] packed along the outputs the same way and stored one less than the
/// zero point (the "v1" checkpoint format AutoGPTQ and GPTQModel write), or the zero point itself where the
/// <c>quantize_config.json</c> or <c>config.json</c> beside the file says <c>"checkpoint_format": "gptq_v2"</c>;
/// <c>g_idx</c> [in] each input's group.</item>
/// <item>AWQ (GEMM): <c>qweight</c> [in, out/8] packed along the outputs in AWQ's order (output 8k + o in nibble
/// 0, 4, 1, 5, 2, 6, 3, 7 of word k for o = 0 … 7), <c>qzeros</c> likewise; 4 bits; groups of in/groups rows.</item>
/// </list>
/// Each such weight is read as the float32 Linear weight [out, in] the kernels compute with, (q − z) · scale
/// (<see cref="GroupQuantValues"/>), named <c>….weight</c>, stored as <c>gptq int4</c> or <c>awq int4</c>; the rest
/// is consumed, a bias kept. A set whose shapes fit neither layout stays as it is.
/// </summary>
internal static class GroupQuantPairs
{
    private const string Packed = ".qweight";

    /// <summary>
    /// <paramref name="tensors"/> with every GPTQ or AWQ weight read through its scales, at the place of its words;
    /// <paramref name="path"/> is the file's, beside which a GPTQ config may say how its zero points are stored.
    /// </summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors, string path)
    {
        if (!tensors.Any(t => t.Name.EndsWith(Packed, StringComparison.Ordinal))) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        var trueZeros = new Lazy<bool>(() => StoresTrueZeros(path));
        foreach (var words in tensors.Where(t => t.Name.EndsWith(Packed, StringComparison.Ordinal)))
        {
            string module = words.Name[..^Packed.Length];
            TensorInfo? Part(string role) => byName.GetValueOrDefault($"{module}.{role}");
            if (byName.ContainsKey(module + ".weight") || Part("qzeros") is not { } zeros || Part("scales") is not { } scales
                || Values(module, words, zeros, scales, Part("g_idx"), trueZeros) is not { } values)
                continue;
            decoded.Add(values, words, zeros, scales, Part("g_idx"));
        }
        return decoded.Replace(tensors);
    }

    // The weight's values, or null when the tensors fit neither layout.
    private static TensorInfo? Values(string module, TensorInfo words, TensorInfo zeros, TensorInfo scales, TensorInfo? groupIndex, Lazy<bool> trueZeros)
    {
        if (words.DType != DType.Int32 || zeros.DType != DType.Int32 || scales.DType is not (DType.Float16 or DType.BFloat16 or DType.Float32)
            || words.Shape is not [> 0 and var wordRows, > 0 and var wordColumns] || scales.Shape is not [> 0 and var groups, > 0 and var outputs])
            return null;
        GroupQuantValues.Layout layout;
        int bits;
        long inputs;
        if (groupIndex is not null && (groupIndex.DType is not (DType.Int32 or DType.Int64) || groupIndex.Shape is not [> 0]))
            return null;
        if (wordColumns == outputs)
        {
            // GPTQ: the widths whose packing gives the g_idx's inputs (or, without one, whose groups tile the inputs),
            // and whose zero points, packed the same way along the outputs, take the words qzeros has.
            var fits = new[] { 2, 3, 4, 8 }.Where(b => wordRows * 32 % b == 0 && zeros.Shape is [_, var zeroColumns] && zeroColumns == (outputs * b + 31) / 32
                && (groupIndex is null ? wordRows * 32 / b % groups == 0 : wordRows * 32 / b == groupIndex.Shape[0])).ToList();
            if (fits is not [var width]) return null;
            (layout, bits, inputs) = (GroupQuantValues.Layout.Gptq, width, wordRows * 32 / width);
        }
        else if (wordColumns * 8 == outputs && groupIndex is null)
            (layout, bits, inputs) = (GroupQuantValues.Layout.Awq, 4, wordRows);
        else
            return null;
        bool zerosFit = layout == GroupQuantValues.Layout.Gptq
            ? zeros.Shape.SequenceEqual([groups, (outputs * bits + 31) / 32])
            : zeros.Shape.SequenceEqual([groups, wordColumns]);
        if (!zerosFit || groups > inputs || (groupIndex is null && inputs % groups != 0)) return null;
        bool lessOne = layout == GroupQuantValues.Layout.Gptq && !trueZeros.Value;
        var values = new GroupQuantValues(module + ".weight", layout, bits, outputs, inputs, words, zeros, scales, groupIndex, lessOne);
        string stored = $"{(layout == GroupQuantValues.Layout.Awq ? "awq" : lessOne ? "gptq" : "gptq_v2")} int{bits}";
        return TensorInfo.Contiguous(module + ".weight", DType.Float32, [outputs, inputs], new TensorStorage(module + ".weight", values, 0, values.Length))
            with { StoredAs = stored };
    }

    // True when a GPTQ config beside the file (GPTQModel's quantize_config.json, or config.json's quantization_config)
    // says "checkpoint_format": "gptq_v2", whose zero points are stored as they are; a missing or unreadable config says v1.
    private static bool StoresTrueZeros(string path)
    {
        foreach (var (file, section) in new[] { ("quantize_config.json", (string?)null), ("config.json", "quantization_config") })
        {
            using var json = ConfigJson.Beside(path, file);  // none, or none readable: the next, else v1
            if (json is null) continue;
            var config = section is null ? json.RootElement
                : json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(section, out var inner) ? inner : default;
            if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("checkpoint_format", out var format) && format.ValueKind == JsonValueKind.String)
                return format.GetString() == "gptq_v2";
        }
        return false;
    }
}
