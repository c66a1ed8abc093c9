using System.Text.Json;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>MLX's quantization modes (mlx/primitives.h <c>QuantizationMode</c>).</summary>
internal enum MlxMode
{
    /// <summary>Unsigned integers, scale · q + bias per group.</summary>
    Affine,
    /// <summary>E2M1 codes, one E8M0 scale per 32.</summary>
    Mxfp4,
    /// <summary>E2M1 codes, one E4M3 scale per 16.</summary>
    Nvfp4,
    /// <summary>E4M3 codes, one E8M0 scale per 32.</summary>
    Mxfp8,
}

/// <summary>How one MLX module is quantized: its mode, code width and group size.</summary>
internal sealed record MlxScheme(MlxMode Mode, int Bits, int GroupSize)
{
    private static readonly int[] AffineWidths = [2, 3, 4, 5, 6, 8];

    /// <summary>
    /// The scheme a config entry (<c>{"group_size": 64, "bits": 4, "mode": "affine"}</c>) names, the mode's defaults where it
    /// leaves them out (mlx/ops.cpp <c>quantization_params_from_mode</c>); null when it names one MLX does not quantize with.
    /// </summary>
    public static MlxScheme? Parse(JsonElement entry)
    {
        var mode = (entry.TryGetProperty("mode", out var m) ? m.ValueKind == JsonValueKind.String ? m.GetString() : null : "affine") switch
        {
            "affine" => MlxMode.Affine,
            "mxfp4" => MlxMode.Mxfp4,
            "nvfp4" => MlxMode.Nvfp4,
            "mxfp8" => MlxMode.Mxfp8,
            _ => (MlxMode?)null,
        };
        if (mode is not { } known) return null;
        var (bits, groupSize) = Defaults(known);
        if (!Number(entry, "bits", ref bits) || !Number(entry, "group_size", ref groupSize)) return null;
        // The float modes have one width and group size each (fp_quantize refuses others); affine its few.
        bool valid = known == MlxMode.Affine
            ? AffineWidths.Contains(bits) && groupSize is 32 or 64 or 128
            : (bits, groupSize) == Defaults(known);
        return valid ? new MlxScheme(known, bits, groupSize) : null;
    }

    private static (int, int) Defaults(MlxMode mode) => mode switch
    {
        MlxMode.Affine => (4, 64),
        MlxMode.Nvfp4 => (4, 16),
        MlxMode.Mxfp8 => (8, 32),
        _ => (4, 32),
    };

    // A property that must be an int32 when present; false when it is something else.
    private static bool Number(JsonElement entry, string name, ref int value)
    {
        if (!entry.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null) return true;
        return property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out value);
    }
}
