namespace NeuronKit.Activations;

/// <summary>Where a layer's neurons sit in its output tensor: along one axis, or a recurrent node's Y.</summary>
public sealed record NeuronAxis
{
    private NeuronAxis(int? index) => Index = index;

    /// <summary>The last axis: a Gemm's [N, F], a MatMul's [N, T, F] (one value per position).</summary>
    public static NeuronAxis Last { get; } = new(-1);

    /// <summary>Axis 1, the channels: a Conv's or a BatchNormalization's [N, C, H, W] (an activation map per neuron).</summary>
    public static NeuronAxis Channel { get; } = new(1);

    /// <summary>A recurrent node's Y [T, directions, N, H]: neuron d·H + h, one value per time step.</summary>
    public static NeuronAxis Recurrent { get; } = new((int?)null);

    /// <summary>
    /// Axis <paramref name="index"/>, from the back when negative: a LayerNormalization's first normalized axis (−3 over
    /// [C, H, W]: neuron j is channel j's map; −2 over [H, W]: row j of every channel).
    /// </summary>
    public static NeuronAxis Along(int index) => index switch { -1 => Last, 1 => Channel, _ => new(index) };

    /// <summary>The axis, from the front when ≥ 0, from the back when &lt; 0; null for <see cref="Recurrent"/>.</summary>
    public int? Index { get; }
}
