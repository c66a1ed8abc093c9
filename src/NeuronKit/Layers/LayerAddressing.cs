using NeuronKit.Formats;

namespace NeuronKit.Layers;

/// <summary>
/// Turns a user's LAYER argument into a layer: a layer name, any of its tensors' names, a recurrent module with one
/// sub-layer, or any of these without a training checkpoint's first component (<c>model_state_dict.</c>, Lightning's
/// <c>state_dict.</c>) when only one first component makes it a layer.
/// </summary>
internal static class LayerAddressing
{
    private const int ListedWhenNothingIsClose = 5;

    /// <summary>
    /// The layer <paramref name="name"/> addresses, read as <paramref name="kind"/> / <paramref name="layout"/> when given
    /// (see <see cref="KindRequest.Parse"/>). Throws <see cref="RequestException"/> with hints.
    /// </summary>
    public static Layer Resolve(IReadOnlyList<Layer> layers, ModelGraph graph, string name, string? kind, string? layout = null)
    {
        var layer = Find(layers, graph, name);
        return KindRequest.Parse(kind, layout) is { } request ? Reread(graph, layer, request) : layer;
    }

    private static Layer Find(IReadOnlyList<Layer> layers, ModelGraph graph, string name)
    {
        if (Lookup(layers, name) is { } layer) return layer;
        var nonLayer = graph.NonLayerPrefixes.FirstOrDefault(p => LayerInference.IsUnder(name, [p]));
        if (nonLayer is not null)
            throw new RequestException($"'{name}' is under '{nonLayer.TrimEnd('.')}', which holds optimizer state, not a layer",
                [$"layers are listed by `neuron layers`; this file has {layers.Count}"]);
        // A layer whose tensors the file holds in a form NeuronKit does not read (ONNX's INT4, a chunked Flax array) is named as such.
        if (graph.UnreadTensors.Where(t => t.Key == name || t.Key.StartsWith(name + ".", StringComparison.Ordinal)).ToList() is [var first, ..] unread)
            throw new RequestException($"layer '{name}' is not read: its tensor {first.Key} is {first.Value}, which NeuronKit does not read" +
                (unread.Count > 1 ? $" (and {unread.Count - 1} more of its tensors are unread)" : ""));
        // Without its first component ("state_dict." of a Lightning checkpoint, whose callbacks may hold tensors of
        // their own): taken when exactly one first component makes the name a layer.
        var prefixed = FirstComponents(layers).Where(p => !name.StartsWith(p, StringComparison.Ordinal))
            .Select(p => Lookup(layers, p + name)).OfType<Layer>().Distinct().ToList();
        if (prefixed is [var only]) return only;
        if (prefixed.Count > 1)
            throw new RequestException($"'{name}' is a layer under {prefixed.Count} keys of the file: {string.Join(", ", prefixed.Select(l => $"'{l.Name}'"))}",
                ["give the whole name"]);
        throw Unknown(layers, name, SharedPrefix(layers));
    }

    // The distinct first path components of the layers' names, each with its dot.
    private static IEnumerable<string> FirstComponents(IReadOnlyList<Layer> layers) =>
        layers.Select(l => l.Name.IndexOf('.') is var dot and > 0 ? l.Name[..(dot + 1)] : null).OfType<string>().Distinct();

    // A layer by its name, one of its tensors' names, an alias (an ONNX node's output), or its recurrent module's name when that has one sub-layer.
    private static Layer? Lookup(IReadOnlyList<Layer> layers, string name)
    {
        var layer = layers.FirstOrDefault(l => l.Name == name)
            ?? layers.FirstOrDefault(l => l.Tensors.Any(t => t.Tensor.Name == name))
            ?? layers.FirstOrDefault(l => l.Aliases.Contains(name));
        if (layer is not null) return layer;
        var subLayers = layers.Where(l => l.Module == name).ToList();
        return subLayers.Count switch
        {
            0 => null,
            1 => subLayers[0],
            _ => throw new RequestException($"'{name}' has {subLayers.Count} sub-layers: {string.Join(", ", subLayers.Select(l => l.Name))}"),
        };
    }

    // The one first path component every layer shares (a training checkpoint's "model_state_dict."), with its dot; else null.
    private static string? SharedPrefix(IReadOnlyList<Layer> layers)
    {
        if (layers.Count == 0) return null;
        var firsts = layers.Select(l => l.Name.IndexOf('.') is var dot and > 0 ? l.Name[..(dot + 1)] : null).Distinct().ToList();
        return firsts.Count == 1 ? firsts[0] : null;
    }

    private static RequestException Unknown(IReadOnlyList<Layer> layers, string name, string? prefix)
    {
        // Suggest names the way the user typed them: without the shared prefix when they left it off.
        bool shortForm = prefix is not null && !name.StartsWith(prefix, StringComparison.Ordinal);
        var names = layers.SelectMany(l => l.Module is null ? [l.Name] : new[] { l.Module, l.Name })
            .Select(n => shortForm ? n[prefix!.Length..] : n)
            .Distinct()
            .ToList();
        var close = NameSuggestions.Closest(name, names);
        string hint;
        if (close.Count > 0) hint = NameSuggestions.DidYouMean(close);
        else if (names.Count == 0) hint = "this checkpoint has no layers";
        else
        {
            string listed = string.Join(", ", names.Take(ListedWhenNothingIsClose).Select(n => $"'{n}'"));
            string more = names.Count > ListedWhenNothingIsClose ? $", … ({names.Count} in all; `neuron layers` lists them)" : "";
            hint = $"layers: {listed}{more}";
        }
        // A LoRA adapter's layers are its factors: the layer asked for is most likely the base model's, merged.
        return layers.Any(l => l.Name.EndsWith(".lora_A", StringComparison.Ordinal) || l.Name.EndsWith(".lora_B", StringComparison.Ordinal))
            ? new RequestException($"no layer '{name}'", [hint, "this file is a LoRA adapter, whose layers are its factors (lora_A, lora_B): --base BASE reads it merged into the model it was trained on"])
            : new RequestException($"no layer '{name}'", [hint]);
    }

    // The layer's tensors read again as the requested kind; the layer keeps its name.
    private static Layer Reread(ModelGraph graph, Layer layer, KindRequest request)
    {
        string module = LayerCandidate.ModuleOf(layer.Tensors[0].Tensor.Name);
        var candidate = new LayerCandidate(module,
            [.. layer.Tensors.Select(t => new LayerTensor(LayerCandidate.RoleOf(t.Tensor.Name), t.Tensor))],
            graph.ModuleClasses.GetValueOrDefault(module));
        try
        {
            return candidate.WithActivationQuantization(request.Kind.Read(candidate, request)).Single().Copy(name: layer.Name);
        }
        catch (RequestException mismatch)
        {
            throw new RequestException($"layer '{layer.Name}' cannot be read as {request.Name}: {mismatch.Message}", mismatch.Hints);
        }
    }
}
