using NeuronKit.Layers;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>Neuron queries straight on a module: each call reads the module as it is now (see <see cref="LiveModel"/>).</summary>
public static class ModuleNeurons
{
    /// <summary>Every layer of <paramref name="module"/>, named by module path.</summary>
    public static IReadOnlyList<Layer> Layers(this nn.Module module) => new LiveModel(module).Layers;

    /// <summary>Neuron <paramref name="index"/> (negative counts from the end) of layer <paramref name="layer"/> of <paramref name="module"/>.</summary>
    public static LiveNeuron Neuron(this nn.Module module, string layer, long index, string? kind = null, string? layout = null) =>
        new LiveModel(module).Neuron(layer, index, kind, layout);
}
