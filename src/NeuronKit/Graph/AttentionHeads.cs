using System.Globalization;
using System.Text.Json;
using NeuronKit.Formats;

namespace NeuronKit.Graph;

/// <summary>
/// A model's attention heads as its own files state them, which shapes alone cannot tell: a GGUF's metadata, the
/// <c>config.json</c> beside a Hugging Face checkpoint (or its <c>text_config</c>), or the <c>params.json</c> beside Meta's.
/// </summary>
/// <param name="Heads">Query heads.</param>
/// <param name="KeyValueHeads">Key/value heads (fewer under grouped-query attention).</param>
/// <param name="Size">A value head's units.</param>
/// <param name="Source">Where it was read, for the evidence.</param>
internal sealed record AttentionHeads(long Heads, long KeyValueHeads, long Size, string Source)
{
    /// <summary>The heads <paramref name="checkpoint"/> states, or null when nothing beside or in it does.</summary>
    public static AttentionHeads? Of(Checkpoint checkpoint)
    {
        var metadata = checkpoint.Metadata;
        if (metadata.TryGetValue("general.architecture", out string? arch))
        {
            long? Number(string key) => metadata.TryGetValue($"{arch}.{key}", out string? v)
                && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 ? n : null;
            return Number("attention.head_count") is { } heads
                ? Made(heads, Number("attention.head_count_kv") ?? heads, Number("attention.value_length") ?? Number("embedding_length") / heads,
                    $"{checkpoint.FileName}'s {arch}.attention.head_count and head_count_kv")
                : null;
        }
        return FromJson(checkpoint, "config.json", "num_attention_heads", "num_key_value_heads", "head_dim", "hidden_size")
            ?? FromJson(checkpoint, "params.json", "n_heads", "n_kv_heads", null, "dim");
    }

    // A config's heads (or its nested text_config's): the head size where it says it, else the width over the heads.
    private static AttentionHeads? FromJson(Checkpoint checkpoint, string fileName, string headsKey, string keyValueKey, string? sizeKey, string widthKey)
    {
        using var json = ConfigJson.Beside(checkpoint.Path, fileName);
        if (json?.RootElement is not { ValueKind: JsonValueKind.Object } root) return null;
        foreach (var section in new[] { root, root.TryGetProperty("text_config", out var text) ? text : default })
        {
            if (section.ValueKind != JsonValueKind.Object || Number(section, headsKey) is not { } heads) continue;
            long? size = (sizeKey is null ? null : Number(section, sizeKey)) ?? Number(section, widthKey) / heads;
            return Made(heads, Number(section, keyValueKey) ?? heads, size, $"{fileName} beside {checkpoint.FileName}");
        }
        return null;
    }

    private static long? Number(JsonElement section, string key) =>
        section.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) && n > 0 ? n : null;

    // Heads that make sense together: a whole number of query heads per key/value head, a head of one unit at least.
    private static AttentionHeads? Made(long heads, long keyValueHeads, long? size, string source) =>
        size is > 0 && keyValueHeads <= heads && heads % keyValueHeads == 0 ? new(heads, keyValueHeads, size.Value, source) : null;
}
