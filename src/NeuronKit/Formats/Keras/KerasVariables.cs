using System.Text.RegularExpressions;

namespace NeuronKit.Formats.Keras;

/// <summary>
/// What Keras 3's weight files leave out: a layer's variables are stored by position (<c>vars/0</c>, <c>vars/1</c>), in
/// the order its <c>build()</c> adds them, and its path is its class in snake case with a counter (<c>dense_1</c>). This
/// names the variables of the classes NeuronKit reads, from the class and its settings, and tells a class by its path.
/// </summary>
internal static partial class KerasVariables
{
    // Each class's variables in build() order, and the setting each optional one depends on (Keras' default: present).
    private static readonly Dictionary<string, (string Name, string? Setting)[]> Orders = new(StringComparer.Ordinal)
    {
        ["Dense"] = [("kernel", null), ("bias", "use_bias")],                      // keras/src/layers/core/dense.py
        ["Conv1D"] = [("kernel", null), ("bias", "use_bias")],                     // layers/convolutional/base_conv.py
        ["Conv2D"] = [("kernel", null), ("bias", "use_bias")],
        ["Conv3D"] = [("kernel", null), ("bias", "use_bias")],
        ["Conv1DTranspose"] = [("kernel", null), ("bias", "use_bias")],            // base_conv_transpose.py
        ["Conv2DTranspose"] = [("kernel", null), ("bias", "use_bias")],
        ["Conv3DTranspose"] = [("kernel", null), ("bias", "use_bias")],
        ["DepthwiseConv1D"] = [("kernel", null), ("bias", "use_bias")],            // base_depthwise_conv.py
        ["DepthwiseConv2D"] = [("kernel", null), ("bias", "use_bias")],
        ["SeparableConv1D"] = [("depthwise_kernel", null), ("pointwise_kernel", null), ("bias", "use_bias")], // base_separable_conv.py
        ["SeparableConv2D"] = [("depthwise_kernel", null), ("pointwise_kernel", null), ("bias", "use_bias")],
        ["BatchNormalization"] = [("gamma", "scale"), ("beta", "center"), ("moving_mean", null), ("moving_variance", null)], // normalization/
        ["LayerNormalization"] = [("gamma", "scale"), ("beta", "center")],
        ["GroupNormalization"] = [("gamma", "scale"), ("beta", "center")],
        ["Embedding"] = [("embeddings", null)],                                    // layers/core/embedding.py
        ["LSTM"] = [("kernel", null), ("recurrent_kernel", null), ("bias", "use_bias")], // layers/rnn/lstm.py (its cell's)
        ["GRU"] = [("kernel", null), ("recurrent_kernel", null), ("bias", "use_bias")],
        ["SimpleRNN"] = [("kernel", null), ("recurrent_kernel", null), ("bias", "use_bias")],
        ["PReLU"] = [("alpha", null)],
    };

    /// <summary>A class whose variables every recurrent cell shares (kernel, recurrent_kernel, bias): a cell's names when its class is unknown.</summary>
    public const string RecurrentCell = "SimpleRNN";

    // The class each snake-case path names (keras/src/utils/naming.py to_snake_case of the class name).
    private static readonly Dictionary<string, string> BySnakeName =
        Orders.Keys.ToDictionary(SnakeCase, c => c, StringComparer.Ordinal);

    /// <summary>
    /// The names of <paramref name="count"/> variables of a layer of <paramref name="className"/> with the settings of
    /// <paramref name="layer"/> (null: Keras' defaults); null when the class is not one NeuronKit knows or the count does
    /// not fit its settings.
    /// </summary>
    public static IReadOnlyList<string>? Names(string className, KerasLayer? layer, int count)
    {
        if (!Orders.TryGetValue(className, out var order)) return null;
        List<string> names = [.. order.Where(v => v.Setting is null || (layer?.Flag(v.Setting, true) ?? true)).Select(v => v.Name)];
        // Without a config the settings are unknown: a layer without its bias keeps the others in order.
        if (layer is null && names.Count != count && order.Where(v => v.Setting is not null).Select(v => v.Setting).Distinct().Count() == 1)
            names = [.. order.Where(v => v.Setting is null).Select(v => v.Name)];
        return names.Count == count ? names : null;
    }

    /// <summary>The class a Keras 3 path component names (<c>dense_1</c> → Dense, <c>conv2d</c> → Conv2D), or null.</summary>
    public static string? ClassOfPath(string component) =>
        BySnakeName.GetValueOrDefault(Counter().Replace(component, ""));

    /// <summary>Keras' to_snake_case of a class name: <c>Conv2DTranspose</c> → <c>conv2d_transpose</c>, <c>SimpleRNN</c> → <c>simple_rnn</c>.</summary>
    public static string SnakeCase(string className)
    {
        string name = NonWord().Replace(className, "");
        name = WordStart().Replace(name, "$1_$2");
        return LowerUpper().Replace(name, "$1_$2").ToLowerInvariant();
    }

    [GeneratedRegex(@"_\d+$")]
    private static partial Regex Counter();

    [GeneratedRegex(@"\W+")]
    private static partial Regex NonWord();

    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex WordStart();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex LowerUpper();
}
