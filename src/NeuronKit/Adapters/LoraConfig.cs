using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NeuronKit.Adapters;

/// <summary>
/// What a PEFT LoRA adapter's <c>adapter_config.json</c> says about merging it: the rank and alpha that make its scale
/// (alpha / r, or alpha / √r with rsLoRA), per-module overrides (<c>rank_pattern</c>, <c>alpha_pattern</c>), and whether
/// the base stores its weights (in, out) (<c>fan_in_fan_out</c>, GPT-2's Conv1D).
/// </summary>
public sealed class LoraConfig
{
    private readonly IReadOnlyList<KeyValuePair<string, double>> _rankPattern;
    private readonly IReadOnlyList<KeyValuePair<string, double>> _alphaPattern;

    private LoraConfig(double rank, double alpha, bool rsLora, bool fanInFanOut, IReadOnlyList<KeyValuePair<string, double>> rankPattern,
        IReadOnlyList<KeyValuePair<string, double>> alphaPattern)
    {
        Rank = rank;
        Alpha = alpha;
        RsLora = rsLora;
        FanInFanOut = fanInFanOut;
        _rankPattern = rankPattern;
        _alphaPattern = alphaPattern;
    }

    /// <summary>The file name PEFT saves the config under, beside the adapter's weights.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>The rank <c>r</c>.</summary>
    public double Rank { get; }

    /// <summary><c>lora_alpha</c>.</summary>
    public double Alpha { get; }

    /// <summary><c>use_rslora</c>: the scale is alpha / √r.</summary>
    public bool RsLora { get; }

    /// <summary><c>fan_in_fan_out</c>: the adapted weights are stored (in, out), so the update is transposed.</summary>
    public bool FanInFanOut { get; }

    /// <summary>
    /// The scale of the update of <paramref name="module"/> (<c>model.layers.0.self_attn.q_proj</c>): its alpha over its
    /// rank (or the rank's square root), each from the first pattern that names the module (PEFT matches a key as the
    /// module's last dotted parts, a regular expression), else the config's own.
    /// </summary>
    public double Scale(string module)
    {
        double rank = Pattern(_rankPattern, module) ?? Rank, alpha = Pattern(_alphaPattern, module) ?? Alpha;
        return alpha / (RsLora ? Math.Sqrt(rank) : rank);
    }

    /// <summary>Reads the config at <paramref name="path"/>; throws <see cref="CheckpointException"/> saying what is wrong.</summary>
    public static LoraConfig Read(string path)
    {
        using var document = Formats.ConfigJson.Read(path);
        return From(Path.GetFileName(path), document.RootElement);
    }

    /// <summary>Reads <paramref name="json"/> (the text of <paramref name="path"/>); throws <see cref="CheckpointException"/> saying what is wrong.</summary>
    public static LoraConfig Parse(string path, string json)
    {
        string name = Path.GetFileName(path);
        try
        {
            using var document = JsonDocument.Parse(json);
            return From(name, document.RootElement);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{name} is not JSON: {Formats.JsonErrorText.Of(e)}");
        }
    }

    private static LoraConfig From(string name, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new CheckpointException($"{name} is not a JSON object");
        string type = root.TryGetProperty("peft_type", out var peft) && peft.ValueKind == JsonValueKind.String ? peft.GetString()! : "LORA";
        if (type != "LORA")
            throw new CheckpointException($"{name} is a {type} adapter; NeuronKit merges LoRA adapters only");
        if (root.TryGetProperty("use_dora", out var dora) && dora.ValueKind == JsonValueKind.True)
            throw new CheckpointException($"{name} is a DoRA adapter (use_dora), whose update rescales each row by a learned magnitude; " +
                "NeuronKit merges plain LoRA only", ["merge it with PEFT (merge_and_unload) and compare the merged model"]);
        double rank = Number(root, "r", name) ?? throw new CheckpointException($"{name} has no rank 'r'");
        double alpha = Number(root, "lora_alpha", name) ?? 8; // PEFT's default
        if (rank <= 0) throw new CheckpointException($"{name} has rank r = {rank}, not a positive number");
        return new LoraConfig(rank, alpha, Flag(root, "use_rslora"), Flag(root, "fan_in_fan_out"),
            Patterns(root, "rank_pattern", name), Patterns(root, "alpha_pattern", name));
    }

    private static double? Number(JsonElement root, string key, string name) =>
        !root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && double.IsFinite(number) ? number
        : throw new CheckpointException($"{name} has '{key}' {value.GetRawText()}, not a number");

    private static bool Flag(JsonElement root, string key) => root.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.True;

    private static List<KeyValuePair<string, double>> Patterns(JsonElement root, string key, string name)
    {
        var patterns = new List<KeyValuePair<string, double>>();
        if (!root.TryGetProperty(key, out var map) || map.ValueKind == JsonValueKind.Null) return patterns;
        if (map.ValueKind != JsonValueKind.Object) throw new CheckpointException($"{name} has a '{key}' that is not an object");
        foreach (var entry in map.EnumerateObject())
            patterns.Add(new(entry.Name, entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetDouble(out double n) && double.IsFinite(n) && n > 0
                ? n : throw new CheckpointException($"{name} has '{key}' '{entry.Name}': {entry.Value.GetRawText()}, not a positive number")));
        return patterns;
    }

    // PEFT's get_pattern_key: the first key, in the config's order, that matches the module's name as (.*\.)?(KEY)$,
    // the key a regular expression (run with a time limit: a config is a file like any other).
    private static double? Pattern(IReadOnlyList<KeyValuePair<string, double>> patterns, string module)
    {
        foreach (var (key, value) in patterns)
        {
            try
            {
                if (Regex.IsMatch(module, $"^(?:.*\\.)?(?:{key})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))) return value;
            }
            catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
            {
                // not a regular expression .NET reads (or one that ran too long): it names no module
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"r {Rank}, alpha {Alpha}{(RsLora ? ", rsLoRA" : "")}{(FanInFanOut ? ", fan_in_fan_out" : "")}");
}
