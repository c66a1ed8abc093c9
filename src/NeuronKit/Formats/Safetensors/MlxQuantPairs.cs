using System.Text.Json;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// MLX's quantized checkpoints (mlx-lm's <c>convert -q</c>, the mlx-community models): a quantized Linear or Embedding
/// keeps <c>MODULE.weight</c> as uint32 words [rows, in·bits/32] of unsigned <c>bits</c>-bit integers, each row a
/// little-endian bit stream (value i at bit i·bits), beside <c>MODULE.scales</c> and <c>MODULE.biases</c>
/// [rows, in/group_size], one pair per group of inputs (mlx/backend/cpu/quantized.cpp). The bits and group size are
/// in the <c>config.json</c> beside the file (<c>"quantization": {"group_size": 64, "bits": 4}</c>, with per-module
/// overrides by module path; a module set to <c>false</c> is not quantized). Each such weight is read as its float32
/// values scale · q + bias (<see cref="MlxQuantValues"/>), stored as <c>mlx int4</c> and the like; its scales and biases
/// are consumed. Without that config, or with shapes that do not fit it, the tensors stay as they are; another MLX
/// mode (mxfp4, nvfp4, mxfp8: no biases) is left as it is too.
/// </summary>
internal static class MlxQuantPairs
{
    private const string Scales = ".scales", Biases = ".biases";
    private static readonly int[] Widths = [2, 3, 4, 5, 6, 8];

    /// <summary><paramref name="tensors"/> with every MLX-quantized weight read through its scales and biases, at its own place.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors, string path)
    {
        if (!tensors.Any(t => t.DType == DType.UInt32 && t.Name.EndsWith(".weight", StringComparison.Ordinal))
            || !tensors.Any(t => t.Name.EndsWith(Scales, StringComparison.Ordinal))) return tensors;
        var config = Config(path);
        if (config is null) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var weights = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var words in tensors.Where(t => t.DType == DType.UInt32 && t.Name.EndsWith(".weight", StringComparison.Ordinal)))
        {
            string module = words.Name[..^".weight".Length];
            if (!byName.TryGetValue(module + Scales, out var scales) || !byName.TryGetValue(module + Biases, out var biases)
                || config.For(module) is not var (bits, groupSize) || Values(words, scales, biases, bits, groupSize) is not { } values)
                continue;
            weights[words.Name] = values;
            consumed.Add(scales.Name);
            consumed.Add(biases.Name);
        }
        return weights.Count == 0 ? tensors
            : [.. tensors.Where(t => !consumed.Contains(t.Name)).Select(t => weights.GetValueOrDefault(t.Name) ?? t)];
    }

    // The weight's values, or null when the shapes do not fit the bits and group size.
    private static TensorInfo? Values(TensorInfo words, TensorInfo scales, TensorInfo biases, int bits, int groupSize)
    {
        if (scales.DType is not (DType.Float16 or DType.BFloat16 or DType.Float32) || biases.DType != scales.DType
            || !biases.Shape.SequenceEqual(scales.Shape) || words.Shape.Count < 2 || scales.Shape.Count != words.Shape.Count
            || !words.Shape.Take(words.Shape.Count - 1).SequenceEqual(scales.Shape.Take(scales.Shape.Count - 1))
            || words.ElementCount == 0)
            return null;
        long groups = scales.Shape[^1], inputs = groups * groupSize;
        if (words.Shape[^1] * 32 != inputs * bits) return null;
        long rows = words.ElementCount / words.Shape[^1];
        var values = new MlxQuantValues(words.Name, bits, groupSize, rows, inputs, words, scales, biases);
        long[] shape = [.. words.Shape.Take(words.Shape.Count - 1), inputs];
        return TensorInfo.Contiguous(words.Name, DType.Float32, shape, new TensorStorage(words.Name, values, 0, values.Length))
            with { StoredAs = $"mlx int{bits}", ByteSize = words.ByteSize + scales.ByteSize + biases.ByteSize };
    }

    // config.json's "quantization" (or "quantization_config"), when it is MLX's affine scheme; else null.
    private static MlxQuantization? Config(string path)
    {
        try
        {
            using var json = ConfigJson.Read(ByteSources.Sibling(path, "config.json"));
            if (json.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (string key in new[] { "quantization", "quantization_config" })
                if (json.RootElement.TryGetProperty(key, out var section) && MlxQuantization.Parse(section) is { } parsed)
                    return parsed;
        }
        catch (NeuronKitException)
        {
            // No config beside the file, or none readable: nothing says how the words are packed.
        }
        return null;
    }

    // What config.json says: the default width and group size, and the modules that differ (or are not quantized).
    private sealed record MlxQuantization(int Bits, int GroupSize, IReadOnlyDictionary<string, (int Bits, int GroupSize)?> Modules)
    {
        public (int Bits, int GroupSize)? For(string module) => Modules.TryGetValue(module, out var own) ? own : (Bits, GroupSize);

        public static MlxQuantization? Parse(JsonElement section)
        {
            if (section.ValueKind != JsonValueKind.Object || Pair(section) is not var (bits, groupSize)) return null;
            if (section.TryGetProperty("mode", out var mode) && !(mode.ValueKind == JsonValueKind.String && mode.GetString() == "affine")) return null;
            var modules = new Dictionary<string, (int, int)?>(StringComparer.Ordinal);
            foreach (var entry in section.EnumerateObject())
                if (entry.Value.ValueKind == JsonValueKind.False) modules[entry.Name] = null;
                else if (entry.Value.ValueKind == JsonValueKind.Object) modules[entry.Name] = Pair(entry.Value);
            return new MlxQuantization(bits, groupSize, modules);
        }

        // {"bits": B, "group_size": G} with widths and group sizes MLX quantizes with; null otherwise.
        private static (int, int)? Pair(JsonElement o) =>
            o.TryGetProperty("bits", out var b) && b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out int bits) && Widths.Contains(bits)
            && o.TryGetProperty("group_size", out var g) && g.ValueKind == JsonValueKind.Number && g.TryGetInt32(out int group) && group is 32 or 64 or 128
                ? (bits, group) : null;
    }
}
