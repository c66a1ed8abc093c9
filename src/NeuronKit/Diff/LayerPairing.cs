using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// Which layer of B is which layer of A: the same name, else the same name once what saving or converting did to names
/// is undone on either side: a training script's wrapper prefix (a checkpoint dict's <c>model_state_dict.</c>,
/// DataParallel's <c>module.</c>), llama.cpp's GGUF names (<see cref="LlamaCppNames"/>), Meta's reference names
/// (<see cref="MetaNames"/>), an ONNX node's name (<see cref="ExportedModulePath"/>), mlx-lm's stacked experts
/// (<see cref="MlxNames"/>). A pair through llama.cpp's or
/// Meta's names carries the converter's row order, and through llama.cpp's its value shift and the embedding rows it
/// kept; a layer llama.cpp's converter split in two pairs with the two joined (<see cref="JoinedRows"/>).
/// </summary>
internal static class LayerPairing
{
    // Prefixes a saved model's names gain without the model changing, with where they come from.
    private static readonly string[] WrapperPrefixes =
    [
        "model_state_dict.", // torch.save({"model_state_dict": model.state_dict(), "epoch": …})
        "state_dict.",       // PyTorch Lightning checkpoints, {"state_dict": …}
        "module.",           // nn.DataParallel / DistributedDataParallel
    ];

    /// <summary>The pairs (in A's order), and the layers of each file left without a partner.</summary>
    /// <param name="a">Layers of file A (all of them, or the one asked for).</param>
    /// <param name="fileA">The file they are in: its format and metadata say how its names were made.</param>
    /// <param name="b">Layers of file B.</param>
    /// <param name="fileB">The file they are in.</param>
    public static (IReadOnlyList<LayerPair> Pairs, IReadOnlyList<Layer> OnlyInA, IReadOnlyList<Layer> OnlyInB) Pair(
        IReadOnlyList<Layer> a, Checkpoint fileA, IReadOnlyList<Layer> b, Checkpoint fileB)
    {
        var unpairedB = b.ToDictionary(l => l.Name);
        var pairs = new List<LayerPair>();
        var onlyInA = new List<Layer>();
        var waiting = new List<Layer>();
        foreach (var layer in a)
        {
            if (unpairedB.Remove(layer.Name, out var partner)) pairs.Add(new LayerPair(layer, partner));
            else waiting.Add(layer);
        }
        // Exact names first, so a renamed layer only pairs with what no exact name took.
        var (llamaA, llamaB) = (LlamaCppNames.Of(fileA), LlamaCppNames.Of(fileB));
        var (metaA, metaB) = (MetaNames.Of(fileA), MetaNames.Of(fileB));
        // Against a llama.cpp file, names pair without the base model's attribute, which a checkpoint of the base model lacks.
        string? basePrefix = (llamaA ?? llamaB)?.BasePrefix;
        var byKey = new Dictionary<string, Layer>();
        foreach (var layer in unpairedB.Values) byKey.TryAdd(Key(layer, fileB, llamaB, metaB, basePrefix), layer);
        var keys = waiting.ToDictionary(l => l, l => Key(l, fileA, llamaA, metaA, basePrefix));
        JoinSplits(llamaA, llamaB, basePrefix, waiting, keys, byKey, unpairedB.Values);
        UndoAttributePrefix(keys, byKey);
        foreach (var layer in waiting)
        {
            if (byKey.Remove(keys[layer], out var partner))
            {
                // Only a llama.cpp or Meta layer paired with a layer named otherwise can have had its rows reordered or its
                // values shifted; Meta's rows are in llama.cpp's order already, so between those two row j is row j.
                var order = (metaA, metaB, llamaA, llamaB) switch
                {
                    (not null, _, _, not null) or (_, not null, not null, _) => null,
                    _ => llamaB?.OrderOf(partner, toLlamaCpp: true) ?? llamaA?.OrderOf(layer, toLlamaCpp: false)
                        ?? metaB?.OrderOf(partner, fileA, toMeta: true) ?? metaA?.OrderOf(layer, fileB, toMeta: false),
                };
                var shift = llamaB?.ShiftOf(partner, toLlamaCpp: true) ?? llamaA?.ShiftOf(layer, toLlamaCpp: false);
                var kept = llamaB?.KeptRowsOf(partner, layer) ?? llamaA?.KeptRowsOf(layer, partner);
                pairs.Add(new LayerPair(layer, partner, order, shift, kept));
                foreach (var part in Components(partner)) unpairedB.Remove(part.Name);
            }
            else
            {
                onlyInA.Add(layer);
            }
        }
        var position = a.Select((layer, i) => (layer, i)).ToDictionary(x => x.layer, x => x.i);
        return ([.. pairs.OrderBy(p => position[Components(p.A)[0]])], onlyInA, [.. b.Where(l => unpairedB.ContainsKey(l.Name))]);
    }

    /// <summary>The layers of a file a paired layer is: itself, or those a split layer was joined from.</summary>
    public static IReadOnlyList<Layer> Components(Layer layer) => layer.Implementation is IJoinedLayer joined ? joined.Joined : [layer];

    // A Hugging Face layer llama.cpp's converter split in two (gpt-oss's gate_up_proj) pairs with the two joined, on
    // whichever side the GGUF is; only where the other file has that layer, so a GGUF against a GGUF keeps its own.
    private static void JoinSplits(LlamaCppNames? llamaA, LlamaCppNames? llamaB, string? basePrefix, List<Layer> waiting,
        Dictionary<Layer, string> keys, Dictionary<string, Layer> byKey, IEnumerable<Layer> unpairedB)
    {
        if (llamaB is not null)
        {
            var wanted = keys.Values.ToHashSet(StringComparer.Ordinal);
            foreach (var (name, joined) in llamaB.Splits([.. unpairedB]))
                if (wanted.Contains(Stripped(name, basePrefix))) byKey.TryAdd(Stripped(name, basePrefix), joined);
        }
        if (llamaA is null) return;
        foreach (var (name, joined) in llamaA.Splits([.. waiting]).ToList())
        {
            if (!byKey.ContainsKey(Stripped(name, basePrefix))) continue;
            foreach (var part in Components(joined)) waiting.Remove(part);
            waiting.Add(joined);
            keys[joined] = Stripped(name, basePrefix);
        }
    }

    // A model kept under an attribute names its layers with one more first component than the model's own state dict:
    // a LightningModule's self.model ("model."), torch.compile's "_orig_mod.". When, of the names that found no partner,
    // those of one side starting with one such component all find one once it is removed (and no other component does
    // as well), it is removed; when neither side's alone does, one on each side may (AttributePrefixes).
    private static void UndoAttributePrefix(Dictionary<Layer, string> keys, Dictionary<string, Layer> byKey)
    {
        var unmatchedA = keys.Where(k => !byKey.ContainsKey(k.Value)).ToList();
        var matchedB = keys.Values.Where(byKey.ContainsKey).ToHashSet(StringComparer.Ordinal);
        var unmatchedB = byKey.Where(b => !matchedB.Contains(b.Key)).ToList();
        List<string> namesA = [.. unmatchedA.Select(k => k.Value)], namesB = [.. unmatchedB.Select(b => b.Key)];
        if (AttributePrefix(namesA, namesB) is { } onA)
        {
            Unprefix(unmatchedA, keys, onA);
        }
        else if (AttributePrefix(namesB, namesA) is { } onB)
        {
            Unprefix(unmatchedB, byKey, onB);
        }
        else if (AttributePrefixes(namesA, namesB) is var (bothA, bothB))
        {
            Unprefix(unmatchedA, keys, bothA);
            Unprefix(unmatchedB, byKey, bothB);
        }
    }

    // A's layers keyed without the prefix.
    private static void Unprefix(List<KeyValuePair<Layer, string>> unmatchedA, Dictionary<Layer, string> keys, string prefix)
    {
        foreach (var (layer, key) in unmatchedA)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) keys[layer] = key[prefix.Length..];
    }

    // B's layers found by their names without the prefix.
    private static void Unprefix(List<KeyValuePair<string, Layer>> unmatchedB, Dictionary<string, Layer> byKey, string prefix)
    {
        foreach (var (key, layer) in unmatchedB)
            if (key.StartsWith(prefix, StringComparison.Ordinal) && byKey.Remove(key)) byKey.TryAdd(key[prefix.Length..], layer);
    }

    // Both files kept the model under an attribute, each its own (torch.compile's "_orig_mod." against a LightningModule's
    // "model."): the two first components under which the names, both removed, pair, at least one, every name of one of
    // the two groups finding its partner (the other file may have gained or lost a layer), and no other two pair as many.
    private static (string A, string B)? AttributePrefixes(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        static Dictionary<string, HashSet<string>> Groups(IReadOnlyList<string> names) => names.Where(n => n.IndexOf('.') > 0)
            .GroupBy(n => n[..(n.IndexOf('.') + 1)])
            .ToDictionary(g => g.Key, g => g.Select(n => n[g.Key.Length..]).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var (groupsA, groupsB) = (Groups(a), Groups(b));
        var fits = (from ga in groupsA
                    from gb in groupsB
                    let shared = ga.Value.Count(gb.Value.Contains)
                    where shared > 0 && (shared == ga.Value.Count || shared == gb.Value.Count)
                    orderby shared descending
                    select (A: ga.Key, B: gb.Key, Shared: shared)).ToList();
        return fits switch
        {
            [] => null,
            [var one] => (one.A, one.B),
            [var first, var second, ..] => first.Shared > second.Shared ? (first.A, first.B) : null,
        };
    }

    // The first component ("model.") whose removal turns every name of `names` that starts with it into one of `others`,
    // at least one, and that no other component does for as many; else null.
    private static string? AttributePrefix(IReadOnlyList<string> names, IReadOnlyList<string> others)
    {
        var targets = others.ToHashSet(StringComparer.Ordinal);
        var fits = names.Where(n => n.IndexOf('.') > 0).GroupBy(n => n[..(n.IndexOf('.') + 1)])
            .Where(g => g.All(n => targets.Contains(n[g.Key.Length..])))
            .Select(g => (Prefix: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ToList();
        return fits switch
        {
            [] => null,
            [var one] => one.Prefix,
            [var first, var second, ..] => first.Count > second.Count ? first.Prefix : null,
        };
    }

    private static string Stripped(string name, string? basePrefix) =>
        basePrefix is not null && name.StartsWith(basePrefix, StringComparison.Ordinal) ? name[basePrefix.Length..] : name;

    // The name a layer answers to once its file's naming is undone: the module path a PyTorch state dict would give it.
    private static string Key(Layer layer, Checkpoint file, LlamaCppNames? llamaCpp, MetaNames? meta, string? basePrefix)
    {
        string name = llamaCpp is not null ? llamaCpp.HuggingFaceName(layer.Name) ?? layer.Name
            : meta is not null ? MetaNames.HuggingFaceName(layer.Name) ?? layer.Name
            : Bare(file.Format == "onnx" ? ExportedModulePath.Of(layer) : MlxNames.HuggingFaceName(layer.Name) ?? layer.Name);
        return Stripped(name, basePrefix);
    }

    /// <summary>
    /// The name without its wrapper prefix, when it has one, and as the text model names it when it is the language
    /// model inside a multimodal one (Gemma 3, Mistral 3, LLaVA: <c>language_model.model.layers.0…</c>, or
    /// <c>model.language_model.layers.0…</c> in newer transformers, is <c>model.layers.0…</c>, as llama.cpp's converter
    /// reads it too).
    /// </summary>
    public static string Bare(string name)
    {
        foreach (string prefix in WrapperPrefixes)
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                name = name[prefix.Length..];
                break;
            }
        const string Language = "language_model.";
        if (name.StartsWith(Language, StringComparison.Ordinal)) return name[Language.Length..];
        return name.StartsWith("model." + Language, StringComparison.Ordinal) ? "model." + name[("model." + Language).Length..] : name;
    }
}
