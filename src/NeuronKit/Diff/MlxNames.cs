using System.Text.RegularExpressions;

namespace NeuronKit.Diff;

/// <summary>
/// mlx-lm's names for a mixture's experts: it stacks the Hugging Face experts' Linear weights of a block into one
/// <c>….switch_mlp.gate_proj</c> (up, down) per projection, read as one sub-layer per expert
/// (<c>….switch_mlp.gate_proj.E</c>), where a Hugging Face checkpoint has <c>….experts.E.gate_proj</c> (Qwen, DeepSeek,
/// OLMoE, …) or, under Mixtral's <c>block_sparse_moe</c>, <c>….experts.E.w1</c> (gate), <c>w3</c> (up), <c>w2</c> (down),
/// as mlx-lm's sanitize renames them (mlx-lm models/qwen3_moe.py, mixtral.py).
/// </summary>
internal static partial class MlxNames
{
    private static readonly Dictionary<string, string> MixtralNames = new(StringComparer.Ordinal)
    {
        ["gate_proj"] = "w1", ["down_proj"] = "w2", ["up_proj"] = "w3",
    };

    /// <summary>The Hugging Face name of an MLX expert sub-layer, or null when <paramref name="name"/> is not one.</summary>
    public static string? HuggingFaceName(string name)
    {
        var match = Expert().Match(name);
        if (!match.Success) return null;
        string block = match.Groups["block"].Value, projection = match.Groups["projection"].Value, expert = match.Groups["expert"].Value;
        if (block.EndsWith("block_sparse_moe", StringComparison.Ordinal) && MixtralNames.TryGetValue(projection, out var mixtral))
            projection = mixtral;
        return $"{block}.experts.{expert}.{projection}";
    }

    [GeneratedRegex(@"^(?<block>.+)\.switch_mlp\.(?<projection>gate_proj|up_proj|down_proj|fc1|fc2)\.(?<expert>\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Expert();
}
