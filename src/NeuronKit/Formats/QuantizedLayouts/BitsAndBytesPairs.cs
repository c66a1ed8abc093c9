using System.Text.Json;
using System.Text.Unicode;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// Models saved quantized by bitsandbytes (transformers' <c>load_in_4bit</c> / <c>load_in_8bit</c> then
/// <c>save_pretrained</c>: the unsloth …-bnb-4bit uploads). A 4-bit Linear keeps <c>weight</c> as uint8 [n/2, 1], two NF4 or
/// FP4 codes a byte, beside <c>weight.absmax</c> (float32 per block, or uint8 under double quantization with
/// <c>weight.nested_absmax</c> and <c>weight.nested_quant_map</c>), <c>weight.quant_map</c> [16] and
/// <c>weight.quant_state.bitsandbytes__nf4</c>, the JSON of its quant type, block size, shape and nested offset as bytes
/// (QuantState.as_dict(packed=True)); an 8-bit Linear keeps <c>weight</c> int8 [out, in] beside <c>SCB</c> [out] and
/// <c>weight_format</c> (0: rows). Each such weight is read as the float32 values bitsandbytes dequantizes it into
/// (<see cref="BnbFourBitValues"/>, <see cref="BnbInt8Values"/>), in the shape the quant state gives, stored as
/// <c>bnb nf4</c>, <c>bnb fp4</c> or <c>bnb int8</c>; the rest is consumed. A set that does not fit stays as it is.
/// </summary>
internal static class BitsAndBytesPairs
{
    private const string StatePrefix = ".weight.quant_state.bitsandbytes__";
    private static readonly int[] BlockSizes = [32, 64, 128, 256, 512, 1024, 2048, 4096];

    /// <summary><paramref name="tensors"/> with every bitsandbytes weight read through its quant state, at the place of its codes.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        bool fourBit = tensors.Any(t => t.Name.Contains(StatePrefix, StringComparison.Ordinal));
        bool eightBit = tensors.Any(t => t.Name.EndsWith(".SCB", StringComparison.Ordinal));
        if (!fourBit && !eightBit) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var state in tensors.Where(t => t.Name.Contains(StatePrefix, StringComparison.Ordinal)))
        {
            string weight = state.Name[..(state.Name.IndexOf(StatePrefix, StringComparison.Ordinal) + ".weight".Length)];
            TensorInfo? Part(string role) => byName.GetValueOrDefault($"{weight}.{role}");
            TensorInfo?[] parts = [state, Part("absmax"), Part("quant_map"), Part("nested_absmax"), Part("nested_quant_map")];
            if (byName.GetValueOrDefault(weight) is not { } codes || FourBit(weight, codes, state, parts[1], parts[2], parts[3], parts[4]) is not { } values)
                continue;
            decoded.Add(values, codes, parts);
        }
        foreach (var scb in tensors.Where(t => t.Name.EndsWith(".SCB", StringComparison.Ordinal)))
        {
            string module = scb.Name[..^".SCB".Length], weight = module + ".weight";
            var format = byName.GetValueOrDefault(module + ".weight_format");
            if (byName.GetValueOrDefault(weight) is not { } codes || EightBit(weight, codes, scb, format) is not { } values) continue;
            decoded.Add(values, codes, scb, format);
        }
        return decoded.Replace(tensors);
    }

    // A 4-bit weight's values, or null when its tensors and quant state do not fit one another.
    private static TensorInfo? FourBit(string name, TensorInfo codes, TensorInfo stateBytes, TensorInfo? absmax, TensorInfo? quantMap,
        TensorInfo? nestedAbsmax, TensorInfo? nestedQuantMap)
    {
        if (codes.DType != DType.UInt8 || stateBytes.DType != DType.UInt8 || stateBytes.ElementCount > 1 << 16
            || absmax is null || quantMap is not { DType: DType.Float32, ElementCount: 16 } || State(stateBytes) is not { } state)
            return null;
        long count = state.Shape.Aggregate(1L, (product, d) => product * d);
        long blocks = (count + state.BlockSize - 1) / state.BlockSize;
        if (count == 0 || codes.ElementCount != (count + 1) / 2 || absmax.ElementCount != blocks) return null;
        BnbFourBitValues.Nested? nested = null;
        if (state.NestedBlockSize is { } nestedBlockSize)
        {
            if (absmax.DType != DType.UInt8 || nestedAbsmax is not { DType: DType.Float32 } || nestedQuantMap is not { DType: DType.Float32, ElementCount: 256 }
                || nestedAbsmax.ElementCount != (blocks + nestedBlockSize - 1) / nestedBlockSize)
                return null;
            nested = new(nestedQuantMap.View().ToFloats(), nestedAbsmax.Storage, nestedBlockSize, state.NestedOffset);
        }
        else if (absmax.DType != DType.Float32 || nestedAbsmax is not null) return null;
        var values = new BnbFourBitValues(name, state.QuantType, count, codes.Storage, quantMap.View().ToFloats(), state.BlockSize, absmax.Storage, nested,
            Math.Max(state.Shape.Length - 1, 0));
        return TensorInfo.Contiguous(name, DType.Float32, state.Shape, new TensorStorage(name, values, 0, values.Length))
            with { StoredAs = "bnb " + state.QuantType };
    }

    // An 8-bit weight's values, or null when the codes, row scales and format do not fit.
    private static TensorInfo? EightBit(string name, TensorInfo codes, TensorInfo scb, TensorInfo? format)
    {
        if (codes.DType != DType.Int8 || codes.Shape is not [var rows, var columns] || rows == 0 || columns == 0
            || scb.DType != DType.Float32 || scb.ElementCount != rows
            || format is not null && (format.ElementCount != 1 || format.DType != DType.UInt8 || format.View().ToDoubles()[0] != 0))
            return null;
        var values = new BnbInt8Values(name, rows, columns, codes.Storage, scb.View().ToFloats());
        return TensorInfo.Contiguous(name, DType.Float32, [rows, columns], new TensorStorage(name, values, 0, values.Length))
            with { StoredAs = "bnb int8" };
    }

    // What the packed quant state says, or null when it is not bitsandbytes' JSON or names what 4-bit dequantization refuses.
    private sealed record QuantState(string QuantType, int BlockSize, long[] Shape, int? NestedBlockSize, float NestedOffset);

    private static QuantState? State(TensorInfo stateBytes)
    {
        var bytes = stateBytes.Storage.Source.Span(stateBytes.Storage.ByteOffset, (int)stateBytes.Storage.ByteLength).ToArray();
        if (!Utf8.IsValid(bytes)) return null;
        try
        {
            using var json = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 8 });
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("quant_type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() is not ("nf4" or "fp4")
                || !stateBytes.Name.EndsWith(type.GetString()!, StringComparison.Ordinal)
                || Int(root, "blocksize") is not { } blockSize || !BlockSizes.Contains(blockSize)
                || !root.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array || shape.GetArrayLength() is < 1 or > 8)
                return null;
            var dims = new long[shape.GetArrayLength()];
            int i = 0;
            foreach (var d in shape.EnumerateArray())
                if (d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long n) && n is > 0 and <= 1L << 40) dims[i++] = n;
                else return null;
            if (dims.Aggregate(1.0, (p, d) => p * d) > 1L << 40) return null;
            int? nestedBlockSize = null;
            float offset = 0;
            if (root.TryGetProperty("nested_blocksize", out _))
            {
                if (Int(root, "nested_blocksize") is not { } nbs || nbs <= 0
                    || !root.TryGetProperty("nested_offset", out var o) || o.ValueKind != JsonValueKind.Number || !double.IsFinite(o.GetDouble()))
                    return null;
                (nestedBlockSize, offset) = (nbs, (float)o.GetDouble());
            }
            return new QuantState(type.GetString()!, blockSize, dims, nestedBlockSize, offset);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? Int(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : null;
}
