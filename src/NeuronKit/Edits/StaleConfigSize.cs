using System.Text.Json;
using System.Text.RegularExpressions;
using NeuronKit.Formats;

namespace NeuronKit.Edits;

/// <summary>
/// A width the <c>config.json</c> beside a pruned checkpoint gives, which the prune changed (<c>intermediate_size</c> of a
/// LLaMA whose MLP units it removed). transformers builds the model from that config and refuses every tensor of another
/// shape, so the pruned copy needs a config that says the new size; a GGUF prune rewrites its own metadata instead.
/// </summary>
/// <param name="Key">The config's key, dotted under a nested config (<c>text_config.intermediate_size</c>).</param>
/// <param name="Size">What the config says: the pruned layers' size before.</param>
/// <param name="Layers">The pruned layers that had that size.</param>
/// <param name="Now">
/// Their sizes after the prune, ascending, with the old size where the same layer of another block was left whole: more
/// than one when blocks no longer agree, which no one config can say.
/// </param>
public sealed partial record StaleConfigSize(string Key, long Size, IReadOnlyList<string> Layers, IReadOnlyList<long> Now)
{
    // transformers' config keys for a layer's width: the MLP's (LLaMA, Mistral, Qwen, BERT: intermediate_size; GPT-2:
    // n_inner; OPT, BART: ffn_dim, encoder_/decoder_ffn_dim; T5: d_ff; a mixture's experts and shared experts), the
    // hidden size under its several names, and the vocabulary an output head's rows are.
    private static readonly string[] WidthKeys =
    [
        "intermediate_size", "moe_intermediate_size", "shared_expert_intermediate_size", "ffn_dim", "encoder_ffn_dim", "decoder_ffn_dim",
        "n_inner", "d_ff", "ffn_hidden_size", "hidden_size", "n_embd", "d_model", "vocab_size",
    ];

    /// <summary>The widths the config beside <paramref name="prune"/>'s checkpoint gives that its prune changes; none without a config.</summary>
    public static IReadOnlyList<StaleConfigSize> Of(ModelPrune prune)
    {
        using var config = ConfigJson.Beside(prune.Model.Checkpoint.Path, "config.json");
        if (config?.RootElement is not { ValueKind: JsonValueKind.Object } root) return [];
        var graph = prune.Model.Graph;
        var pruned = prune.Targets.Select(t => (t.Layer.Name, Before: Units(graph, t.Layer, t.Layer.NeuronCount),
            After: Units(graph, t.Layer, t.Layer.NeuronCount - t.Removed.Count))).ToList();
        var names = pruned.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var stale = new List<StaleConfigSize>();
        foreach (var (prefix, section) in Sections(root))
            foreach (string key in WidthKeys)
                if (section.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long size)
                    && pruned.Where(p => p.Before == size).ToList() is { Count: > 0 } layers)
                {
                    // The same layer of another block left whole keeps the old size beside the new one.
                    var patterns = layers.Select(l => BlockPattern(l.Name)).ToHashSet(StringComparer.Ordinal);
                    bool keptWhole = prune.Model.Layers.Any(l => !names.Contains(l.Name) && Units(graph, l, l.NeuronCount) == size
                        && patterns.Contains(BlockPattern(l.Name)));
                    var now = layers.Select(l => l.After).Concat(keptWhole ? [size] : []).Distinct().Order();
                    stale.Add(new(prefix + key, size, [.. layers.Select(l => l.Name)], [.. now]));
                }
        return stale;
    }

    // The units `neurons` of a layer are, as a config counts them: a fused gate | up projection's rows are two a unit
    // (Phi-3's gate_up_proj is 2 · intermediate_size rows).
    private static long Units(Graph.LayerGraph graph, Layers.Layer layer, long neurons) =>
        graph.ConsumersOf(layer).FirstOrDefault(e => e.Map.Fold is not null) is { Map.Fold: { } fold } ? neurons / (layer.NeuronCount / fold) : neurons;

    // A layer's name with its block numbers blanked: model.layers.#.mlp.up_proj names that layer of every block.
    private static string BlockPattern(string name) => BlockNumber().Replace(name, "#");

    [GeneratedRegex(@"(?<=^|\.)\d+(?=\.|$)", RegexOptions.CultureInvariant)]
    private static partial Regex BlockNumber();

    // The config itself and the configs nested in it (a multimodal model's text_config, language_config, llm_config).
    private static IEnumerable<(string Prefix, JsonElement Section)> Sections(JsonElement root) =>
        root.EnumerateObject().Where(p => p.Name.EndsWith("_config", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.Object)
            .Select(p => ($"{p.Name}.", p.Value)).Prepend(("", root));
}
