using System.Text.Json;
using System.Text.RegularExpressions;
using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// Meta's reference LLaMA checkpoint names (<c>consolidated.00.pth</c>, Mistral's <c>consolidated.safetensors</c>:
/// <c>tok_embeddings</c>, <c>layers.N.attention.wq</c>, <c>layers.N.feed_forward.w1</c>…) as the Hugging Face module
/// paths convert_llama_weights_to_hf.py gives them (gguf-py's tensor_mapping.py lists both as "llama-pth" and
/// "llama-hf"). Meta's q/k rows rotate adjacent pairs: against a Hugging Face file they are reordered as that script
/// permutes them, with the head counts of the file's <c>params.json</c> (or the other's <c>config.json</c>); against a
/// llama.cpp GGUF, which rotates pairs too, row j is row j.
/// </summary>
internal sealed partial class MetaNames
{
    private static readonly Dictionary<string, string> Top = new(StringComparer.Ordinal)
    {
        ["tok_embeddings"] = "model.embed_tokens",
        ["norm"] = "model.norm",
        ["output"] = "lm_head",
    };

    private static readonly Dictionary<string, string> Block = new(StringComparer.Ordinal)
    {
        ["attention_norm"] = "input_layernorm",
        ["attention.wq"] = "self_attn.q_proj",
        ["attention.wk"] = "self_attn.k_proj",
        ["attention.wv"] = "self_attn.v_proj",
        ["attention.wo"] = "self_attn.o_proj",
        ["ffn_norm"] = "post_attention_layernorm",
        ["feed_forward.w1"] = "mlp.gate_proj",
        ["feed_forward.w2"] = "mlp.down_proj",
        ["feed_forward.w3"] = "mlp.up_proj",
    };

    private readonly Checkpoint _file;

    private MetaNames(Checkpoint file) => _file = file;

    /// <summary>The names of <paramref name="file"/> when its tensors are named as Meta's reference code names them; null otherwise.</summary>
    public static MetaNames? Of(Checkpoint file) =>
        file.Format != "gguf" && file.Tensors.Any(t => t.Name == "tok_embeddings.weight") && file.Tensors.Any(t => t.Name == "layers.0.attention.wq.weight")
            ? new MetaNames(file)
            : null;

    /// <summary>The Hugging Face module path of Meta's layer <paramref name="name"/>, or null when the table has none.</summary>
    public static string? HuggingFaceName(string name)
    {
        if (Top.TryGetValue(name, out var top)) return top;
        var match = BlockName().Match(name);
        return match.Success && Block.TryGetValue(match.Groups[2].Value, out var inBlock) ? $"model.layers.{match.Groups[1].Value}.{inBlock}" : null;
    }

    /// <summary>
    /// For <paramref name="layer"/> of this file paired with <paramref name="other"/>'s Hugging Face layer, the order of
    /// its neurons against it (<paramref name="toMeta"/>: the Hugging Face layer is in file A); null for every layer but
    /// wq and wk. Throws <see cref="CheckpointException"/> when neither file says the head counts.
    /// </summary>
    public NeuronOrder? OrderOf(Layer layer, Checkpoint other, bool toMeta)
    {
        var match = BlockName().Match(layer.Name);
        if (!match.Success || match.Groups[2].Value is not ("attention.wq" or "attention.wk")) return null;
        bool keys = match.Groups[2].Value == "attention.wk";
        long heads = HeadCount(_file, "params.json", keys ? ["n_kv_heads", "n_heads"] : ["n_heads"])
            ?? HeadCount(other, "config.json", keys ? ["num_key_value_heads", "num_attention_heads"] : ["num_attention_heads"])
            ?? throw new CheckpointException($"putting {layer.Name}'s rows in Hugging Face's order needs the head count, and neither " +
                $"params.json beside {Path.GetFileName(_file.Path)} nor config.json beside {Path.GetFileName(other.Path)} says it");
        long headRows = NeuronOrder.HeadRows(layer.NeuronCount, heads)
            ?? throw new CheckpointException($"the head count {heads} does not split {layer.Name}'s {layer.NeuronCount} rows into heads of an even size");
        return NeuronOrder.MetaRope(headRows, toMeta);
    }

    // The first of keys that the JSON file beside checkpoint holds as a whole number; null when the file or the key is
    // missing (a remote checkpoint has no folder to look in). The file is read as untrusted: a few kilobytes at most.
    private static long? HeadCount(Checkpoint checkpoint, string fileName, string[] keys)
    {
        if (Tensors.ByteSources.IsUrl(checkpoint.Path)) return null;
        string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint.Path)) ?? ".", fileName);
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > 1 << 20) return null;
        try
        {
            using var json = ConfigJson.Read(path, $"{fileName} beside {checkpoint.FileName}");
            if (json.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (string key in keys)
                if (json.RootElement.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long heads)) return heads;
            return null;
        }
        catch (CheckpointException e) when (e.InnerException is IOException or UnauthorizedAccessException)
        {
            return null; // as good as missing: the other file may say it
        }
    }

    [GeneratedRegex(@"^layers\.(\d+)\.([\w.]+)$")]
    private static partial Regex BlockName();
}
