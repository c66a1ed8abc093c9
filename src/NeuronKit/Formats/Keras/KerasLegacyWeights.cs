using System.Text.RegularExpressions;
using NeuronKit.Containers.Hdf5;

namespace NeuronKit.Formats.Keras;

/// <summary>
/// The weights of a Keras HDF5 file in the layout Keras 2's <c>model.save</c> and <c>save_weights</c> write, and Keras 3
/// still writes for .h5: a group of layers (<c>/model_weights</c>, or the root for save_weights) whose attribute
/// <c>layer_names</c> lists them in order, each layer's group listing its weights in <c>weight_names</c>
/// (<c>dense/kernel:0</c>), each a dataset under that path. keras/src/legacy/saving/legacy_h5_format.py.
/// </summary>
internal static partial class KerasLegacyWeights
{
    /// <summary>The weights, in the file's layer order, or null when the file is not in this layout.</summary>
    public static IReadOnlyList<KerasWeight>? Find(Hdf5File file, KerasConfig? config)
    {
        var layers = file.Root.Group("model_weights") ?? file.Root;
        var names = Strings(layers, "layer_names");
        if (names is null) return null;
        List<KerasWeight> weights = [];
        foreach (string layerName in names)
        {
            var group = layers.Group(layerName)
                ?? throw file.Corrupt($"layer_names lists layer '{layerName}', which {layers.Path} does not hold");
            foreach (string weightName in Strings(group, "weight_names") ?? [])
            {
                if (group.Find(weightName) is not Hdf5Dataset dataset)
                    throw file.Corrupt($"layer '{layerName}' lists weight '{weightName}', which its group does not hold as a dataset");
                string name = TensorName(layerName, weightName);
                // A nested model's layer is named in its own part of the config; a wrapper's weights are its layer's.
                string module = name[..name.LastIndexOf('.')];
                string? className = (config?.Find(module[(module.LastIndexOf('.') + 1)..]) ?? config?.Find(layerName))?.WeightClass;
                weights.Add(new KerasWeight(name, dataset, className));
            }
        }
        return weights;
    }

    /// <summary>
    /// The tensor name of <paramref name="weightName"/> (<c>lstm/lstm_cell/kernel:0</c>) of layer <paramref name="layer"/>:
    /// the layer, then the weight's path after the layer's own name, without the cell's component or TensorFlow's <c>:0</c>
    /// (<c>lstm.kernel</c>).
    /// </summary>
    public static string TensorName(string layer, string weightName)
    {
        var parts = VariableIndex().Replace(weightName, "").Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        int own = parts.IndexOf(layer);
        if (own >= 0 && own < parts.Count - 1) parts = parts[(own + 1)..];
        return string.Join('.', [layer, .. parts.Where(p => !KerasWeight.IsCell(p))]);
    }

    // An attribute of strings, or its parts: Keras splits one past HDF5's 64 KiB header limit into NAME0, NAME1, ….
    private static IReadOnlyList<string>? Strings(Hdf5Object owner, string name)
    {
        if (owner.Attribute(name) is { } whole) return whole.IsText ? whole.Strings() : null;
        List<string>? parts = null;
        for (int chunk = 0; owner.Attribute($"{name}{chunk}") is { IsText: true } part; chunk++)
            (parts ??= []).AddRange(part.Strings());
        return parts;
    }

    [GeneratedRegex(@":\d+$")]
    private static partial Regex VariableIndex();
}
