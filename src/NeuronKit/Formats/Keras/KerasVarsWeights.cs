using NeuronKit.Containers.Hdf5;

namespace NeuronKit.Formats.Keras;

/// <summary>
/// The weights of a Keras 3 weights file (<c>model.weights.h5</c> in a .keras archive, or <c>save_weights("x.weights.h5")</c>):
/// each layer's variables in <c>layers/PATH/vars/0</c>, <c>1</c>, … by position, PATH its class in snake case with a
/// counter (<c>dense_1</c>), a nested model's layers under its own <c>layers</c>, a recurrent layer's under <c>cell</c>, a
/// wrapper's under its attribute's name (<c>forward_layer</c>). The variables are named from the layer's class and settings
/// (<see cref="KerasVariables"/>), by position when the class is not one NeuronKit knows.
/// keras/src/saving/saving_lib.py (_save_state, H5IOStore).
/// </summary>
internal static class KerasVarsWeights
{
    // Keras 3 files, and Keras 2.13's .keras files, which saved the layers list under this name.
    private static readonly string[] LayerLists = ["layers", "_layer_checkpoint_dependencies"];

    // Far beyond any model's nesting; bounds a hostile file's walk.
    private const int MaxDepth = 64;

    /// <summary>The weights, in the file's order, or null when the file is not in this layout.</summary>
    public static IReadOnlyList<KerasWeight>? Find(Hdf5File file, KerasConfig? config)
    {
        var list = LayerLists.Select(file.Root.Group).FirstOrDefault(g => g is not null);
        if (list is null) return null;
        List<KerasWeight> weights = [];
        Layers(list, "", config?.Layers, weights, 0, []);
        return weights;
    }

    // The layers of one list (a model's): each child group is a layer, matched to the config's entry of the same path.
    private static void Layers(Hdf5Group list, string prefix, IReadOnlyList<KerasLayer>? configured, List<KerasWeight> weights, int depth,
        Dictionary<long, string> read)
    {
        var byPath = configured is null ? null : Paths(configured);
        // A group lists its members by name; the config gives the model's order (conv2d_10 after conv2d_9, not before conv2d_2),
        // and without one, each class's counter gives the order its layers were made in.
        var order = byPath?.Keys.Select((path, i) => (path, i)).ToDictionary(p => p.path, p => p.i, StringComparer.Ordinal);
        foreach (var layer in list.Children().OfType<Hdf5Group>().OrderBy(g => order?.GetValueOrDefault(g.Name, int.MaxValue) ?? 0)
                     .ThenBy(g => Counted(g.Name).Stem, StringComparer.Ordinal).ThenBy(g => Counted(g.Name).Counter))
        {
            string name = layer.Name;
            var entry = byPath?.GetValueOrDefault(name);
            string? className = entry?.WeightClass ?? KerasVariables.ClassOfPath(name);
            int first = weights.Count;
            Layer(layer, prefix + name, entry, className, weights, depth + 1, read);
            if (entry is null && className is not null)
                for (int k = first; k < weights.Count; k++)
                    weights[k] = weights[k] with { Note = $"no model config names layer '{name}': its path names its class {className}, as Keras 3 names paths" };
        }
    }

    // A path as Keras makes it, its class in snake case and a counter after the first (dense, dense_1, … dense_10): the
    // stem and the counter (0 for none).
    private static (string Stem, long Counter) Counted(string path)
    {
        int at = path.LastIndexOf('_');
        return at > 0 && long.TryParse(path.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long counter)
            ? (path[..at], counter)
            : (path, 0);
    }

    // One layer: its own vars, then what it holds (a nested model's layers, a recurrent layer's cell, a wrapper's layers).
    // read: the groups walked so far, by header address. Keras writes each layer's group once: a group reached again is a
    // hard link back (a cycle) or across the tree, along which a walk could take as many paths as the links allow.
    private static void Layer(Hdf5Group layer, string module, KerasLayer? entry, string? className, List<KerasWeight> weights, int depth,
        Dictionary<long, string> read, bool cell = false)
    {
        if (depth > MaxDepth) throw layer.File.Corrupt($"'{layer.Path}' nests layers more than {MaxDepth} deep");
        if (!read.TryAdd(layer.Header.Address, layer.Path))
            throw layer.File.Corrupt($"'{layer.Path}' reaches a group it already read, '{read[layer.Header.Address]}' (a hard link; Keras writes each layer's group once)");
        foreach (var child in layer.Children().OfType<Hdf5Group>())
        {
            string name = child.Name;
            if (name == "vars") Variables(child, module, entry?.WeightLayer, className, weights, cell);
            else if (LayerLists.Contains(name)) Layers(child, module + ".", entry?.Layers, weights, depth, read);
            else if (KerasWeight.IsCell(name)) Layer(child, module, entry, className, weights, depth + 1, read, cell: true);
            else Layer(child, $"{module}.{name}", entry?.Inner ?? entry, className, weights, depth + 1, read);
        }
    }

    // A vars group: datasets 0, 1, … named by the class's build() order. A recurrent cell's are kernel, recurrent_kernel and
    // bias whichever its class (a Bidirectional's, which no path names, included): its kind then tells LSTM from GRU by shape.
    private static void Variables(Hdf5Group vars, string module, KerasLayer? settings, string? className, List<KerasWeight> weights, bool cell)
    {
        var datasets = vars.Children().OfType<Hdf5Dataset>()
            .Select(d => (Index: int.TryParse(d.Name, out int i) ? i : -1, Dataset: d))
            .OrderBy(v => v.Index)
            .ToList();
        if (datasets.Count == 0) return;
        string? naming = className ?? (cell ? KerasVariables.RecurrentCell : null);
        var names = naming is null ? null : KerasVariables.Names(naming, settings, datasets.Count);
        // Named only when they are exactly 0 … n − 1 and the class's variables are n; otherwise by their own names.
        bool positional = names is null || !datasets.Select(d => d.Index).SequenceEqual(Enumerable.Range(0, datasets.Count));
        string? note = className is null && !positional
            ? "no model config names its class: a recurrent cell's variables are kernel, recurrent_kernel and bias, in that order" : null;
        for (int k = 0; k < datasets.Count; k++)
        {
            string variable = positional ? datasets[k].Dataset.Name : names![k];
            weights.Add(new KerasWeight($"{module}.{variable}", datasets[k].Dataset, className) { Note = note });
        }
    }

    /// <summary>The path each of <paramref name="layers"/> (one model's) has in the file, which names its tensors: its class in snake case, with _1, _2, … for the second and later of a name.</summary>
    public static Dictionary<string, KerasLayer> Paths(IReadOnlyList<KerasLayer> layers)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var paths = new Dictionary<string, KerasLayer>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            string snake = KerasVariables.SnakeCase(layer.ClassName);
            int seen = counts.GetValueOrDefault(snake);
            counts[snake] = seen + 1;
            paths[seen == 0 ? snake : $"{snake}_{seen}"] = layer;
        }
        return paths;
    }
}
