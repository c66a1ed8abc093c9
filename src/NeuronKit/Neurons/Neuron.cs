using NeuronKit.Layers;

namespace NeuronKit.Neurons;

/// <summary>Neuron <see cref="Index"/> of <see cref="Layer"/>: every slice of the layer's tensors that belongs to it.</summary>
public sealed record Neuron(Layer Layer, long Index, IReadOnlyList<NeuronPart> Parts)
{
    /// <summary>The part whose role is named <paramref name="role"/> (and gate, for recurrent and attention layers), or null.</summary>
    public NeuronPart? Part(string role, string? gate = null) =>
        Parts.FirstOrDefault(p => p.Role.Name == role && (gate is null || p.Gate?.Name == gate));

    /// <summary>The part playing <paramref name="role"/> (and <paramref name="gate"/>, when given), or null.</summary>
    public NeuronPart? Part(PartRole role, Gate? gate = null) =>
        Parts.FirstOrDefault(p => p.Role == role && (gate is null || p.Gate == gate));

    /// <summary>
    /// A recurrent unit's effective bias per gate, in storage order (one with a null gate for an RNN): its bias parts and
    /// whether the cell adds them, as <see cref="Layer.WhyBiasesDoNotSum"/> says. Empty for other layers and for recurrent
    /// layers without biases.
    /// </summary>
    public IReadOnlyList<EffectiveBias> EffectiveBiases =>
        Layer.Gates is null ? [] :
        [.. Parts.Where(p => p.Role.Use == PartUse.Bias && p.Direction == PartDirection.In).GroupBy(p => p.Gate)
            .Select(biases => new EffectiveBias(biases.Key, [.. biases], Layer.WhyBiasesDoNotSum(biases.Key)))];
}
