namespace NeuronKit.Activations;

/// <summary>The ONNX operators <c>--post</c> takes as the activation function after a layer: elementwise, one input read.</summary>
internal static class ActivationFunctions
{
    private static readonly HashSet<string> OpTypes = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Gelu", "Elu", "Selu", "Celu", "Softplus", "Softsign",
        "HardSigmoid", "HardSwish", "Mish", "ThresholdedRelu",
        "Clip", // ReLU6 as PyTorch exports it: Clip(x, 0, 6)
    };

    /// <summary>Whether <paramref name="opType"/> of the default domain is an activation function.</summary>
    public static bool Is(string opType, string domain) => domain is "" or "ai.onnx" && OpTypes.Contains(opType);
}
