using NeuronKit.Layers;

namespace NeuronKit.Views.Reports;

/// <summary>A layer as <c>show --json</c> names it: name, kind and neuron count.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Kind">Its kind, in PyTorch's class names (Linear, Conv2d, LSTM, …).</param>
/// <param name="Neurons">How many neurons it has.</param>
public sealed record LayerIdentity(string Name, string Kind, long Neurons)
{
    /// <summary>The identity of <paramref name="layer"/>.</summary>
    public static LayerIdentity Of(Layer layer) => new(layer.Name, layer.Kind, layer.NeuronCount);
}
