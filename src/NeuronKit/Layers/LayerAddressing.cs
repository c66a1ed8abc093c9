using NeuronKit.Neurons;

namespace NeuronKit.Layers;

/// <summary>Turns a user's LAYER argument into a layer.</summary>
internal static class LayerAddressing
{
    public static Layer Resolve(Model model, string name, string? kind) =>
        model.Layers.FirstOrDefault(l => l.Name == name) ?? throw new RequestException($"no layer '{name}'");
}
