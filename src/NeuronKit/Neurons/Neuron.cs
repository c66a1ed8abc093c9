using NeuronKit.Layers;

namespace NeuronKit.Neurons;

/// <summary>Neuron <see cref="Index"/> of <see cref="Layer"/>: every slice of the layer's tensors that belongs to it.</summary>
public sealed record Neuron(Layer Layer, long Index, IReadOnlyList<NeuronPart> Parts)
{
    /// <summary>The part with role <paramref name="role"/> (and gate, for recurrent layers), or null.</summary>
    public NeuronPart? Part(string role, string? gate = null) =>
        Parts.FirstOrDefault(p => p.Role == role && (gate is null || p.Gate == gate));
}
