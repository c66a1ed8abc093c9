using System.Text.RegularExpressions;
using NeuronKit.Containers.Hdf5;

namespace NeuronKit.Formats.Keras;

/// <summary>One weight of a Keras file: the tensor name NeuronKit gives it, its dataset, and the Keras class of its layer.</summary>
/// <param name="Name">The tensor name: the layer's path and the variable, joined by dots (<c>dense.kernel</c>, <c>bidirectional.forward_lstm.kernel</c>).</param>
/// <param name="Dataset">Where its values are.</param>
/// <param name="Class">The Keras class whose variable it is (a wrapper's layer's), or null when nothing says.</param>
internal sealed partial record KerasWeight(string Name, Hdf5Dataset Dataset, string? Class)
{
    /// <summary>How the file told the weight's class or name, when not by the model's config (a sentence of evidence), or null.</summary>
    public string? Note { get; init; }

    /// <summary>The module path: the name without its variable.</summary>
    public string Module => Name[..Math.Max(0, Name.LastIndexOf('.'))];

    /// <summary>
    /// The path components of a recurrent layer's cell (<c>lstm_cell</c>, <c>gru_cell_2</c>, Keras 3's <c>cell</c>), which
    /// hold the layer's weights: names leave them out, so that the weights are the layer's own (<c>lstm.kernel</c>).
    /// </summary>
    public static bool IsCell(string component) => CellName().IsMatch(component);

    [GeneratedRegex(@"^(?:(?:lstm|gru|simple_rnn|peephole_lstm)_cell(?:_\d+)?|cell)$")]
    private static partial Regex CellName();
}
