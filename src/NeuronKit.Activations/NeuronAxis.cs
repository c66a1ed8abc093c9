namespace NeuronKit.Activations;

/// <summary>Where a layer's neurons sit in its output tensor.</summary>
public enum NeuronAxis
{
    /// <summary>The last axis: a Gemm's [N, F], a MatMul's [N, T, F] (one value per position).</summary>
    Last,

    /// <summary>Axis 1, the channels: a Conv's [N, C, H, W] (an activation map per neuron).</summary>
    Channel,

    /// <summary>A recurrent node's Y [T, directions, N, H]: neuron d·H + h, one value per time step.</summary>
    Recurrent,
}
