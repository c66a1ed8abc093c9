using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// Makes layers of a checkpoint's graph nodes (ONNX), then groups the tensors no node claims by module and picks each group's
/// kind and layout from the strongest evidence there is: the module's class when the file names it, then tensor names, then
/// shapes. Never touches tensor values.
/// </summary>
internal static class LayerInference
{
    /// <summary>Every layer of <paramref name="checkpoint"/>, in the order their first tensor appears in the file.</summary>
    public static IReadOnlyList<Layer> Infer(Checkpoint checkpoint)
    {
        var graph = checkpoint.Graph;
        var fromNodes = NodeInference.Infer(checkpoint);
        var claimed = fromNodes.SelectMany(l => l.Tensors).Select(t => t.Tensor.Name).ToHashSet(StringComparer.Ordinal);
        var constants = graph.Nodes.Where(n => n.OpType == "Constant").SelectMany(n => n.Outputs).ToHashSet(StringComparer.Ordinal);
        var quantizationParameters = QuantizationParameters.ReadOnlyAsParameters(graph.Nodes);
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        var modules = new Dictionary<string, List<LayerTensor>>(StringComparer.Ordinal);
        var moduleNames = checkpoint.Tensors.Select(t => LayerCandidate.ModuleOf(t.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in checkpoint.Tensors)
        {
            if (IsUnder(tensor.Name, graph.NonLayerPrefixes)) continue;
            order[tensor.Name] = order.Count;
            if (claimed.Contains(tensor.Name)) continue;
            // In a graph, a Constant, an integer value or a scale that no layer node reads is plumbing (shapes, axes, initial
            // states, an activation's quantization), not a layer; `neuron tensors` still lists it. Real and complex floats are weights.
            if (graph.Nodes.Count > 0 && (constants.Contains(tensor.Name) || !(tensor.DType.IsFloatingPoint() || tensor.DType.IsComplex())
                || quantizationParameters.Contains(tensor.Name))) continue;
            string module = LayerCandidate.ModuleOf(tensor.Name), role = LayerCandidate.RoleOf(tensor.Name);
            // An attention's one KV-cache scale goes to the projection whose output it scales, as a projection's own would.
            if (tensor.ElementCount == 1 && tensor.Shape.Count <= 1 && NameConventions.CacheScaleProjection(module, role, moduleNames) is { } projection)
                module = projection;
            if (!modules.TryGetValue(module, out var group)) modules[module] = group = [];
            group.Add(new LayerTensor(role, tensor));
        }

        // Graph nodes first; the tensors no node claims are read by names and shapes.
        var tied = TiedTensors(checkpoint.Tensors.Where(t => order.ContainsKey(t.Name)));
        return Rooted(fromNodes
            .Concat(modules.SelectMany(m => Noted(Infer(new LayerCandidate(m.Key, m.Value, graph.ModuleClasses.GetValueOrDefault(m.Key))
                    { ModuleGroups = graph.ModuleGroups.TryGetValue(m.Key, out long groups) ? groups : null }),
                graph.ModuleNotes.GetValueOrDefault(m.Key))))
            // A graph's layers in the order its nodes run (data-flow order: an ONNX graph is sorted so), before the tensors no
            // node reads; otherwise the order of the file's tensors.
            .OrderBy(layer => fromNodes.IndexOf(layer) is var node and >= 0 ? node : fromNodes.Count)
            .ThenBy(layer => layer.Tensors.Min(t => order[t.Tensor.Name]))
            .Select(layer => Tied(layer, tied))
            .ToList());
    }

    // The saved module's own tensors (a state dict of one nn.Conv2d: `weight`, `bias`) make a layer of module "", which
    // named_modules() calls the root and nobody can type: it is named `root` (a recurrent root's sub-layers keep `l0`, …, under
    // module `root`), and "" still answers to it. A file that has a module of its own called root keeps "".
    private static List<Layer> Rooted(List<Layer> layers)
    {
        if (layers.Any(l => l.Name == Layer.RootName || l.Module == Layer.RootName || l.Name.StartsWith(Layer.RootName + ".", StringComparison.Ordinal)))
            return layers;
        int rootSubLayers = layers.Count(l => l.Module == "");
        return layers.Select(l =>
            l.Name == "" ? l.Copy(name: Layer.RootName, aliases: [.. l.Aliases, ""], evidenceAfter: [RootEvidence])
            : l.Module == "" ? l.Copy(module: Layer.RootName, aliases: rootSubLayers == 1 ? [.. l.Aliases, ""] : null, evidenceAfter: [RootEvidence])
            : l).ToList();
    }

    private const string RootEvidence = $"tensor names without a module path: the saved module's own, which named_modules() calls \"\" " +
        $"and NeuronKit calls {Layer.RootName}";

    /// <summary>True when <paramref name="name"/> is <paramref name="prefixes"/>' entry itself or lies under it.</summary>
    public static bool IsUnder(string name, IEnumerable<string> prefixes) =>
        prefixes.Select(p => p.TrimEnd('.')).Any(p => name == p || name.StartsWith(p + ".", StringComparison.Ordinal));

    // The layers of one module: its class decides when a kind reads that class and the tensors fit it, else packed parameters
    // (a quantized Linear's) decide when they fit; otherwise the first kind whose match accepts them. Tensors the chosen kind leaves are fallback layers of their own.
    private static IEnumerable<Layer> Infer(LayerCandidate candidate)
    {
        IReadOnlyList<Layer>? layers = null;
        string? classNote = null;
        if (candidate.ModuleClass is { } moduleClass)
        {
            if (KindRequest.FromModuleClass(moduleClass) is { } request)
            {
                // A transposed convolution's groups decide its neurons, and its module says them where a bias cannot.
                if (request.Kind is Kinds.ConvTranspose && candidate.ModuleGroups is { } groups)
                    request = request with { Groups = groups, Evidence = $"{request.Evidence} with groups = {groups}" };
                try
                {
                    layers = request.Kind.Read(candidate, request);
                }
                catch (RequestException mismatch)
                {
                    classNote = $"module class {moduleClass} does not fit the tensors ({mismatch.Message}); read by names and shapes instead";
                }
            }
            else
            {
                classNote = $"module class {moduleClass} is not a layer kind NeuronKit knows; read by names and shapes instead";
            }
        }
        else if (candidate.PackedRequest is { } packed)
        {
            try
            {
                layers = packed.Kind.Read(candidate, packed);
            }
            catch (RequestException mismatch)
            {
                classNote = $"{candidate.Module}'s packed params do not fit a {packed.Name} ({mismatch.Message}); read by names and shapes instead";
            }
        }
        if (layers is null)
        {
            layers = LayerKinds.All.Select(kind => kind.Match(candidate)).First(match => match is not null)!;
            // Packed parameters that name no kind (a quantized cell's) still say whose they are.
            if (candidate.PackedEvidence is { } packedNote && candidate.PackedRequest is null && layers.Count > 0 && layers[0].Implementation != LayerKinds.Fallback)
                classNote ??= packedNote;
        }
        if (classNote is not null) layers = [.. layers.Select(l => l.Copy(evidenceBefore: [classNote]))];
        layers = candidate.WithActivationQuantization(layers);

        var claimed = layers.SelectMany(l => l.Tensors).Select(t => t.Tensor.Name).ToHashSet(StringComparer.Ordinal);
        var left = candidate.All.Where(t => !claimed.Contains(t.Tensor.Name)).ToList();
        return left.Count == 0 ? layers : [.. layers, .. LayerKinds.Fallback.Match(new LayerCandidate(candidate.Module, left, null))!];
    }

    // What the reader said of how it named the module's tensors (a quantized LSTM's cells) opens its layers' evidence.
    private static IEnumerable<Layer> Noted(IEnumerable<Layer> layers, string? note) =>
        note is null ? layers : layers.Select(l => l.Copy(evidenceBefore: [note]));

    // Tensors viewing the very same elements (tied weights such as GPT-2's wte and lm_head), by name.
    private static Dictionary<string, List<string>> TiedTensors(IEnumerable<TensorInfo> tensors) =>
        tensors
            .GroupBy(t => (t.Storage, t.StorageOffset, t.DType, Shape: t.Shape.Text(), Strides: t.Strides.Text()))
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Select(t => (t.Name, Others: g.Where(o => !ReferenceEquals(o, t)).Select(o => o.Name).ToList())))
            .ToDictionary(p => p.Name, p => p.Others, StringComparer.Ordinal);

    private static Layer Tied(Layer layer, Dictionary<string, List<string>> tied)
    {
        var notes = layer.Tensors
            .Where(t => tied.ContainsKey(t.Tensor.Name))
            .Select(t => $"{t.Tensor.Name} shares its storage with {string.Join(", ", tied[t.Tensor.Name])} (tied weights; each layer is listed)")
            .ToList();
        return notes.Count == 0 ? layer : layer.Copy(evidenceAfter: notes);
    }
}
