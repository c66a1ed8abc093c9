using System.Globalization;
using System.Text.RegularExpressions;
using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// A llama.cpp GGUF file's layer names as the Hugging Face module paths its converter read them from
/// (<c>blk.3.attn_q</c> is <c>model.layers.3.self_attn.q_proj</c>), and which of its layers had their rows reordered.
/// Only for the architectures whose Hugging Face models share LLaMA's module names; a GGUF of another architecture keeps
/// its names, since the same GGUF name can come from another module there (Gemma 2's <c>ffn_norm</c> is its
/// <c>pre_feedforward_layernorm</c>).
/// </summary>
internal sealed partial class LlamaCppNames
{
    // general.architecture values whose converter writes these names from LLaMA-style module paths, and whether it
    // permutes q/k rows (convert_hf_to_gguf.py: LlamaModel.permute for llama, which Mistral and Mixtral convert to;
    // Qwen2 and Qwen3 use NeoX-style rotary embeddings, as Hugging Face does, and are written unpermuted).
    private static readonly Dictionary<string, bool> Architectures = new(StringComparer.Ordinal)
    {
        ["llama"] = true,
        ["qwen2"] = false,
        ["qwen3"] = false,
    };

    // llama.cpp name → Hugging Face module path, outside the blocks (gguf-py/gguf/tensor_mapping.py, "llama-hf" entries).
    private static readonly Dictionary<string, string> Top = new(StringComparer.Ordinal)
    {
        ["token_embd"] = "model.embed_tokens",
        ["output_norm"] = "model.norm",
        ["output"] = "lm_head",
    };

    // Within block N: blk.N.<llama.cpp> ↔ model.layers.N.<Hugging Face> (the same table's block mappings).
    private static readonly Dictionary<string, string> Block = new(StringComparer.Ordinal)
    {
        ["attn_norm"] = "input_layernorm",
        ["attn_q"] = "self_attn.q_proj",
        ["attn_k"] = "self_attn.k_proj",
        ["attn_v"] = "self_attn.v_proj",
        ["attn_output"] = "self_attn.o_proj",
        ["attn_q_norm"] = "self_attn.q_norm",   // Qwen3
        ["attn_k_norm"] = "self_attn.k_norm",   // Qwen3
        ["ffn_norm"] = "post_attention_layernorm",
        ["ffn_gate"] = "mlp.gate_proj",
        ["ffn_up"] = "mlp.up_proj",
        ["ffn_down"] = "mlp.down_proj",
    };

    private readonly Checkpoint _file;
    private readonly string _architecture;
    private readonly bool _permutes;

    private LlamaCppNames(Checkpoint file, string architecture, bool permutes)
    {
        _file = file;
        _architecture = architecture;
        _permutes = permutes;
    }

    /// <summary>The names of <paramref name="file"/> when it is a GGUF of an architecture the table knows; null otherwise.</summary>
    public static LlamaCppNames? Of(Checkpoint file) =>
        file.Format == "gguf" && file.Metadata.TryGetValue("general.architecture", out var architecture)
            && Architectures.TryGetValue(architecture, out bool permutes)
            ? new LlamaCppNames(file, architecture, permutes)
            : null;

    /// <summary>The Hugging Face module path of llama.cpp layer <paramref name="name"/>, or null when the table has none.</summary>
    public static string? HuggingFaceName(string name)
    {
        if (Top.TryGetValue(name, out var top)) return top;
        var match = BlockName().Match(name);
        return match.Success && Block.TryGetValue(match.Groups[2].Value, out var inBlock) ? $"model.layers.{match.Groups[1].Value}.{inBlock}" : null;
    }

    /// <summary>
    /// For <paramref name="layer"/> of this file paired with a Hugging Face layer, the order of its neurons against
    /// that layer's (<paramref name="toLlamaCpp"/>: the Hugging Face layer is in file A); null when they are in the
    /// same order. Throws <see cref="CheckpointException"/> when the head counts needed are missing or do not fit.
    /// </summary>
    public NeuronOrder? OrderOf(Layer layer, bool toLlamaCpp)
    {
        var match = BlockName().Match(layer.Name);
        if (!_permutes || !match.Success || match.Groups[2].Value is not ("attn_q" or "attn_k")) return null;
        // convert_hf_to_gguf.py permutes q with the head count and k with the key/value head count (grouped-query attention).
        string key = match.Groups[2].Value == "attn_q" ? "attention.head_count" : "attention.head_count_kv";
        long heads = HeadCount(key) ?? HeadCount("attention.head_count")
            ?? throw new CheckpointException($"{Path.GetFileName(_file.Path)} has no metadata '{_architecture}.attention.head_count', " +
                $"which putting {layer.Name}'s rows back in Hugging Face's order needs");
        if (heads <= 0 || layer.NeuronCount % heads != 0 || layer.NeuronCount / heads % 2 != 0)
            throw new CheckpointException($"{Path.GetFileName(_file.Path)} says '{_architecture}.{key}' is {heads}, which does not split " +
                $"{layer.Name}'s {layer.NeuronCount} rows into heads of an even size, as llama.cpp's q/k permutation needs");
        return NeuronOrder.LlamaCppRope(layer.NeuronCount / heads, toLlamaCpp);
    }

    // A head count (key/value heads when asked for) from the metadata; null when the file has none.
    private long? HeadCount(string key) =>
        _file.Metadata.TryGetValue($"{_architecture}.{key}", out var text)
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long heads) ? heads : null;

    [GeneratedRegex(@"^blk\.(\d+)\.(\w+)$")]
    private static partial Regex BlockName();
}
