using System.Text.Json;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// BitNet b1.58 checkpoints (microsoft/bitnet-b1.58-2B-4T, the models transformers loads with
/// <c>"quantization_config": {"quant_method": "bitnet"}</c> in the <c>config.json</c> beside them) store each BitLinear's
/// weight [out, in] as uint8 [out/4, in] of packed ternary codes beside a one-value <c>weight_scale</c>. Each such weight is
/// read as the float32 values the layer computes with, code / weight_scale (<see cref="BitNetValues"/>), stored as
/// <c>ternary·weight_scale</c>; the scale is consumed. Without that config the tensors stay as they are: a uint8 weight and
/// one scale say nothing about packing by themselves.
/// </summary>
internal static class BitNetPairs
{
    private const string Scale = ".weight_scale";

    /// <summary><paramref name="tensors"/> with every packed BitLinear weight read through its scale.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors, string path)
    {
        if (!tensors.Any(t => t.DType == DType.UInt8 && t.Name.EndsWith(".weight", StringComparison.Ordinal))
            || !tensors.Any(t => t.Name.EndsWith(Scale, StringComparison.Ordinal)) || !IsBitNet(path)) return tensors;
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var packed in tensors.Where(t => t.DType == DType.UInt8 && t.Name.EndsWith(".weight", StringComparison.Ordinal)))
        {
            if (byName.GetValueOrDefault(packed.Name + "_scale") is not { } scale || Values(packed, scale) is not { } values) continue;
            decoded.Add(values, packed, scale);
        }
        return decoded.Replace(tensors);
    }

    // The weight's values, or null when the codes or the scale are not shaped as BitLinear keeps them.
    private static TensorInfo? Values(TensorInfo packed, TensorInfo scale)
    {
        if (packed.Shape is not [var packedRows, var columns] || packedRows == 0 || columns == 0
            || scale.DType is not (DType.BFloat16 or DType.Float16 or DType.Float32) || scale.ElementCount != 1 || scale.Shape.Count > 1)
            return null;
        var values = new BitNetValues(packed.Name, packedRows, columns, packed.Storage, scale.View().ToFloats()[0]);
        return TensorInfo.Contiguous(packed.Name, DType.Float32, [packedRows * 4, columns], new TensorStorage(packed.Name, values, 0, values.Length))
            with { StoredAs = "ternary·weight_scale" };
    }

    // config.json beside the file says quant_method bitnet.
    private static bool IsBitNet(string path)
    {
        using var json = ConfigJson.Beside(path, "config.json");
        return json?.RootElement.ValueKind == JsonValueKind.Object
            && json.RootElement.TryGetProperty("quantization_config", out var config) && config.ValueKind == JsonValueKind.Object
            && config.TryGetProperty("quant_method", out var method) && method.ValueKind == JsonValueKind.String && method.GetString() == "bitnet";
    }
}
