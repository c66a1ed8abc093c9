using System.Globalization;
using System.Text.RegularExpressions;
using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// A llama.cpp GGUF file's layer names as the Hugging Face module paths its converter read them from
/// (<c>blk.3.attn_q</c> is <c>model.layers.3.self_attn.q_proj</c>), which of its layers had their rows reordered and
/// which had their values shifted. Only for the architectures <see cref="LlamaCppArchitecture.Known"/> has a table for;
/// a GGUF of another architecture keeps its names, never compared under a guessed one.
/// </summary>
internal sealed partial class LlamaCppNames
{
    private readonly Checkpoint _file;
    private readonly string _architecture;
    private readonly LlamaCppArchitecture _table;

    private LlamaCppNames(Checkpoint file, string architecture, LlamaCppArchitecture table)
    {
        _file = file;
        _architecture = architecture;
        _table = table;
    }

    /// <summary>The names of <paramref name="file"/> when it is a GGUF of an architecture the table knows; null otherwise.</summary>
    public static LlamaCppNames? Of(Checkpoint file) =>
        file.Format == "gguf" && file.Metadata.TryGetValue("general.architecture", out var architecture)
            && LlamaCppArchitecture.Known.TryGetValue(architecture, out var table)
            ? new LlamaCppNames(file, architecture, table)
            : null;

    /// <summary>The Hugging Face module path of llama.cpp layer <paramref name="name"/>, or null when the table has none.</summary>
    public string? HuggingFaceName(string name) =>
        // A tensor no kind claims is a layer of its own, named with its role (blk.0.attn_sinks.weight, blk.0.exp_probs_b.bias).
        (name.EndsWith(".weight", StringComparison.Ordinal) ? TableName(name[..^".weight".Length])
            : name.EndsWith(".bias", StringComparison.Ordinal) ? TableName(name[..^".bias".Length]) : null) ?? TableName(name);

    private string? TableName(string name)
    {
        if (_table.Top.TryGetValue(name, out var top)) return top;
        var match = BlockName().Match(name);
        if (!match.Success || !_table.Block.TryGetValue(match.Groups[2].Value, out var inBlock)) return null;
        // An expert's sub-layer (blk.0.ffn_up_exps.3) names its expert; every other layer has no index.
        bool expert = inBlock.Contains("{e}", StringComparison.Ordinal);
        if (expert != match.Groups[3].Success) return null;
        return $"{_table.Blocks}{match.Groups[1].Value}.{(expert ? inBlock.Replace("{e}", match.Groups[3].Value, StringComparison.Ordinal) : inBlock)}";
    }

    /// <summary>The attribute a base model's layers lack against the model with a head (<c>model.</c>, GPT-2's <c>transformer.</c>).</summary>
    public string BasePrefix => _table.BasePrefix;

    /// <summary>
    /// What the converter added to <paramref name="layer"/>'s weights (Gemma's norms: 1), as B's value less A's: the
    /// amount itself when the Hugging Face layer is in file A (<paramref name="toLlamaCpp"/>), its negative when this
    /// GGUF is; null when it added nothing.
    /// </summary>
    public ValueShift? ShiftOf(Layer layer, bool toLlamaCpp)
    {
        if (_table.NormShift == 0 || !layer.Name.EndsWith("norm", StringComparison.Ordinal) || HuggingFaceName(layer.Name) is null) return null;
        return new ValueShift($"llama.cpp's +{_table.NormShift.ToString(CultureInfo.InvariantCulture)} on {_architecture} norm weights",
            toLlamaCpp ? _table.NormShift : -_table.NormShift);
    }

    /// <summary>
    /// For <paramref name="layer"/> of this file paired with a Hugging Face layer, the order of its neurons against
    /// that layer's (<paramref name="toLlamaCpp"/>: the Hugging Face layer is in file A); null when they are in the
    /// same order. Throws <see cref="CheckpointException"/> when the head counts needed are missing or do not fit.
    /// </summary>
    public NeuronOrder? OrderOf(Layer layer, bool toLlamaCpp)
    {
        var match = BlockName().Match(layer.Name);
        if (match.Success && match.Groups[2].Value == _table.HalvedGateUp) return NeuronOrder.GateUpHalves(layer.NeuronCount, toLlamaCpp);
        if (!_table.PermutesQK || !match.Success || match.Groups[2].Value is not ("attn_q" or "attn_k")) return null;
        // convert_hf_to_gguf.py permutes q with the head count and k with the key/value head count (grouped-query attention).
        string key = match.Groups[2].Value == "attn_q" ? "attention.head_count" : "attention.head_count_kv";
        long heads = HeadCount(key) ?? HeadCount("attention.head_count")
            ?? throw new CheckpointException($"{_file.FileName} has no metadata '{_architecture}.attention.head_count', " +
                $"which putting {layer.Name}'s rows back in Hugging Face's order needs");
        long headRows = NeuronOrder.HeadRows(layer.NeuronCount, heads)
            ?? throw new CheckpointException($"{_file.FileName} says '{_architecture}.{key}' is {heads}, which does not split " +
                $"{layer.Name}'s {layer.NeuronCount} rows into heads of an even size, as llama.cpp's q/k permutation needs");
        return NeuronOrder.LlamaCppRope(headRows, toLlamaCpp);
    }

    /// <summary>
    /// For this file's embedding <paramref name="layer"/> paired with <paramref name="other"/> (the Hugging Face
    /// checkpoint's), the rows both keep when the converter dropped the rows past the tokenizer's vocabulary; null when it
    /// did not, or when the two do not differ in that way alone (the same width, fewer rows here).
    /// </summary>
    public KeptRows? KeptRowsOf(Layer layer, Layer other)
    {
        if (!_table.TrimsEmbedding || layer.Name != "token_embd" || layer.Kind != "Embedding" || other.Kind != "Embedding"
            || layer.Tensors is not [{ Tensor.Shape: [var rows, var width] }] || other.Tensors is not [{ Tensor.Shape: [var all, var otherWidth] }]
            || width != otherWidth || rows <= 0 || rows >= all)
            return null;
        var culture = CultureInfo.InvariantCulture;
        return new KeptRows(rows, $"the first {rows.ToString("N0", culture)} of {all.ToString("N0", culture)} embedding rows: " +
            $"llama.cpp's {_architecture} converter keeps the tokenizer's vocabulary");
    }

    /// <summary>
    /// The layers among <paramref name="layers"/> that the converter split out of one Hugging Face layer, joined
    /// (<see cref="JoinedRows"/>, <see cref="LatentUpProjection"/>), with the Hugging Face module path of the layer they
    /// came from.
    /// </summary>
    public IEnumerable<(string HuggingFaceName, Layer Joined)> Splits(IReadOnlyCollection<Layer> layers) =>
        RowSplits(layers).Concat(LatentSplits(layers));

    // A block's attn_k_b and attn_v_b heads, joined into the kv_b_proj they were split from.
    private IEnumerable<(string HuggingFaceName, Layer Joined)> LatentSplits(IReadOnlyCollection<Layer> layers)
    {
        if (_table.LatentSplit is not { } latent) yield break;
        var heads = layers.Select(l => (Layer: l, Match: BlockName().Match(l.Name)))
            .Where(x => x.Match.Success && x.Match.Groups[3].Success && (x.Match.Groups[2].Value == latent.Keys || x.Match.Groups[2].Value == latent.Values))
            .GroupBy(x => x.Match.Groups[1].Value);
        foreach (var block in heads)
        {
            List<Layer> Part(string name) => [.. block.Where(x => x.Match.Groups[2].Value == name).Select(x => x.Layer).OrderBy(l => l.StackIndex)];
            var (keys, values) = (Part(latent.Keys), Part(latent.Values));
            string name = $"{_table.Blocks}{block.Key}.{latent.HuggingFace}";
            string why = $"llama.cpp's {_architecture} converter split {name} per head into blk.{block.Key}.{latent.Keys} (the key rows, " +
                $"transposed) and blk.{block.Key}.{latent.Values} (the value rows)";
            if (LatentUpProjection.Join(keys, values, why) is { } joined) yield return (name, joined);
        }
    }

    private IEnumerable<(string HuggingFaceName, Layer Joined)> RowSplits(IReadOnlyCollection<Layer> layers)
    {
        if (_table.Splits is null) yield break;
        var byName = layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            var match = BlockName().Match(layer.Name);
            if (!match.Success) continue;
            foreach (var (huggingFace, (first, second, interleaved)) in _table.Splits)
            {
                if (match.Groups[2].Value != first || huggingFace.Contains("{e}", StringComparison.Ordinal) != match.Groups[3].Success) continue;
                string expert = match.Groups[3].Success ? "." + match.Groups[3].Value : "";
                if (!byName.TryGetValue($"blk.{match.Groups[1].Value}.{second}{expert}", out var partner)) continue;
                string name = $"{_table.Blocks}{match.Groups[1].Value}.{huggingFace.Replace("{e}", match.Groups[3].Value, StringComparison.Ordinal)}";
                string why = interleaved ? $"llama.cpp's {_architecture} converter split {name}'s rows between {layer.Name} (even) and {partner.Name} (odd)"
                    : $"llama.cpp's {_architecture} converter split {name}'s rows in halves, {layer.Name} then {partner.Name}";
                if (JoinedRows.Join(layer, partner, interleaved, why) is { } joined) yield return (name, joined);
            }
        }
    }

    // A head count (key/value heads when asked for) from the metadata; null when the file has none.
    private long? HeadCount(string key) =>
        _file.Metadata.TryGetValue($"{_architecture}.{key}", out var text)
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long heads) ? heads : null;

    [GeneratedRegex(@"^blk\.(\d+)\.(\w+)(?:\.(\d+))?$")]
    private static partial Regex BlockName();
}
