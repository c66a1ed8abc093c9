using System.Text.Json;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// MLX's quantized checkpoints (mlx-lm's <c>convert -q</c>, the mlx-community models): a quantized Linear or Embedding
/// keeps <c>MODULE.weight</c> as uint32 words [rows, in·bits/32] of unsigned <c>bits</c>-bit codes, each row a
/// little-endian bit stream (code i at bit i·bits), beside <c>MODULE.scales</c> [rows, in/group_size], one per group of
/// inputs (mlx/backend/cpu/quantized.cpp). How to read them is in the <c>config.json</c> beside the file
/// (<c>"quantization": {"group_size": 64, "bits": 4, "mode": "affine"}</c>, with per-module entries by module path,
/// each its own mode, bits and group size, the mode's defaults where it leaves them out, as <c>nn.quantize</c> passes
/// them to <c>to_quantized</c>; a module set to <c>false</c> is not quantized):
/// <list type="bullet">
/// <item>affine (the default; 2, 3, 4, 5, 6 or 8 bits, groups of 32, 64 or 128): with <c>MODULE.biases</c>, read as
/// scale · q + bias (<see cref="MlxQuantValues"/>), stored as <c>mlx int4</c> and the like;</item>
/// <item>mxfp4, nvfp4, mxfp8 (no biases; uint8 scales): E2M1 codes in groups of 32 under E8M0 scales, E2M1 in groups of
/// 16 under E4M3 scales, E4M3 codes in groups of 32 under E8M0 scales (<see cref="MlxFloatValues"/>), stored as
/// <c>mlx mxfp4</c> and the like: gpt-oss's experts in the mlx-community conversions.</item>
/// </list>
/// Each such weight is read as its float32 values; its scales (and biases) are consumed. Without that config, or with
/// shapes that do not fit it, the tensors stay as they are.
/// </summary>
internal static class MlxQuantPairs
{
    private const string Scales = ".scales", Biases = ".biases";

    /// <summary><paramref name="tensors"/> with every MLX-quantized weight read through its scales (and biases), at its own place.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors, string path)
    {
        if (!tensors.Any(t => t.DType == DType.UInt32 && t.Name.EndsWith(".weight", StringComparison.Ordinal))
            || !tensors.Any(t => t.Name.EndsWith(Scales, StringComparison.Ordinal))) return tensors;
        var config = Config(path);
        if (config is null) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var words in tensors.Where(t => t.DType == DType.UInt32 && t.Name.EndsWith(".weight", StringComparison.Ordinal)))
        {
            string module = words.Name[..^".weight".Length];
            if (!byName.TryGetValue(module + Scales, out var scales) || config.For(module) is not { } scheme) continue;
            var biases = byName.GetValueOrDefault(module + Biases);
            if (Values(words, scales, biases, scheme) is not { } values) continue;
            decoded.Add(values, words, scales, scheme.Mode == MlxMode.Affine ? biases : null);
        }
        return decoded.Replace(tensors);
    }

    // The weight's values, or null when the tensors beside it or their shapes do not fit the scheme.
    private static TensorInfo? Values(TensorInfo words, TensorInfo scales, TensorInfo? biases, MlxScheme scheme)
    {
        var (mode, bits, groupSize) = scheme;
        bool affine = mode == MlxMode.Affine;
        if (affine ? scales.DType is not (DType.Float16 or DType.BFloat16 or DType.Float32) || biases is null || biases.DType != scales.DType
                || !biases.Shape.SequenceEqual(scales.Shape)
                : scales.DType != DType.UInt8 || biases is not null)
            return null;
        if (words.Shape.Count < 2 || scales.Shape.Count != words.Shape.Count
            || !words.Shape.Take(words.Shape.Count - 1).SequenceEqual(scales.Shape.Take(scales.Shape.Count - 1))
            || words.ElementCount == 0)
            return null;
        long groups = scales.Shape[^1], inputs = groups * groupSize;
        if (words.Shape[^1] * 32 != inputs * bits) return null;
        long rows = words.ElementCount / words.Shape[^1];
        DecodedFloats values = affine
            ? new MlxQuantValues(words.Name, bits, groupSize, rows, inputs, words, scales, biases!)
            : new MlxFloatValues(words.Name, scheme, rows, inputs, words, scales);
        long[] shape = [.. words.Shape.Take(words.Shape.Count - 1), inputs];
        return TensorInfo.Contiguous(words.Name, DType.Float32, shape, new TensorStorage(words.Name, values, 0, values.Length))
            with { StoredAs = affine ? $"mlx int{bits}" : $"mlx {mode.ToString().ToLowerInvariant()}" };
    }

    // config.json's "quantization" (or "quantization_config"), when it is MLX's; else null (no config beside the file,
    // or none readable: nothing says how the words are packed).
    private static MlxQuantization? Config(string path)
    {
        using var json = ConfigJson.Beside(path, "config.json");
        if (json?.RootElement.ValueKind != JsonValueKind.Object) return null;
        foreach (string key in new[] { "quantization", "quantization_config" })
            if (json.RootElement.TryGetProperty(key, out var section) && MlxQuantization.Parse(section) is { } parsed)
                return parsed;
        return null;
    }

    // What config.json says: the default scheme, and the modules that differ (null: not quantized, or in a scheme NeuronKit cannot read).
    private sealed record MlxQuantization(MlxScheme Default, IReadOnlyDictionary<string, MlxScheme?> Modules)
    {
        public MlxScheme? For(string module) => Modules.TryGetValue(module, out var own) ? own : Default;

        public static MlxQuantization? Parse(JsonElement section)
        {
            // mlx-lm writes both at the top; a section without them is another tool's (GPTQ's quantization_config names a quant_method).
            if (section.ValueKind != JsonValueKind.Object || !section.TryGetProperty("bits", out _) || !section.TryGetProperty("group_size", out _)
                || section.TryGetProperty("quant_method", out _) || MlxScheme.Parse(section) is not { } scheme) return null;
            var modules = new Dictionary<string, MlxScheme?>(StringComparer.Ordinal);
            foreach (var entry in section.EnumerateObject())
                if (entry.Value.ValueKind == JsonValueKind.False) modules[entry.Name] = null;
                else if (entry.Value.ValueKind == JsonValueKind.Object) modules[entry.Name] = MlxScheme.Parse(entry.Value);
            return new MlxQuantization(scheme, modules);
        }
    }
}
