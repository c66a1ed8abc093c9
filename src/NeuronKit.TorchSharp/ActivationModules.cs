using TorchSharp.Modules;

namespace NeuronKit.TorchSharp;

/// <summary>The TorchSharp modules that <c>post: true</c> reads a layer's neurons after: elementwise activation functions.</summary>
public static class ActivationModules
{
    /// <summary>Every elementwise activation module type (each keeps its input's shape, so neuron j stays where it was).</summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(ReLU), typeof(ReLU6), typeof(LeakyReLU), typeof(PReLU), typeof(RReLU), typeof(ELU), typeof(SELU), typeof(CELU),
        typeof(GELU), typeof(SiLU), typeof(Mish), typeof(Sigmoid), typeof(Hardsigmoid), typeof(LogSigmoid), typeof(Tanh),
        typeof(Hardtanh), typeof(Hardswish), typeof(Softplus), typeof(Softsign), typeof(Tanhshrink), typeof(Threshold),
        typeof(Hardshrink), typeof(Softshrink),
    ];

    /// <summary>The types' names, for messages: <c>ReLU, ReLU6, …</c>.</summary>
    public static string Names => string.Join(", ", Types.Select(t => t.Name));
}
