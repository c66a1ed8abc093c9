using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// What a QuantStub becomes after convert (torch.ao.nn.quantized.Quantize): the scale and zero point it quantizes the model's
/// input with, buffers of one element (or one per channel), and no weights, so a layer without neurons. Listed so that
/// <c>neuron layers</c> says what the two tensors are instead of showing them as rows of unknown tensors.
/// </summary>
internal sealed class Quantize : ILayerKind
{
    private const string Neuronless = "it quantizes its input with scale and zero_point and has no weights";

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["Quantize"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) => WhyNot(candidate) is null
        ? [Layer(candidate, $"tensor names scale {candidate.Find("scale")!.Shape.Text()} and zero_point " +
            $"{candidate.Find("zero_point")!.Shape.Text()} alone, the zero point an integer: a QuantStub after convert")]
        : null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "scale", "zero_point");
        if (WhyNot(candidate) is { } why) throw new RequestException($"{request.Name} {why}");
        return [Layer(candidate, request.Evidence)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron) =>
        throw new InvalidOperationException($"{layer.Name} has no neurons; Layer.Neuron refuses before asking for parts");

    // Why the tensors are not a Quantize's, or null when they are.
    private static string? WhyNot(LayerCandidate candidate)
    {
        if (!candidate.HasOnly("scale", "zero_point") || candidate.Find("scale") is not { } scale || candidate.Find("zero_point") is not { } zeroPoint)
            return "needs exactly scale and zero_point";
        if (!scale.DType.IsFloatingPoint() || zeroPoint.DType.IsFloatingPoint())
            return $"needs a floating-point scale and an integer zero_point, not {scale.DType.Name()} and {zeroPoint.DType.Name()}";
        if (scale.Shape.Count > 1 || scale.ElementCount != zeroPoint.ElementCount || zeroPoint.Shape.Count > 1)
            return $"needs a scale and a zero_point of one element each, or one per channel, not {scale.Shape.Text()} and {zeroPoint.Shape.Text()}";
        return null;
    }

    private Layer Layer(LayerCandidate candidate, string evidence) => new()
    {
        Name = candidate.Module,
        Kind = "Quantize",
        NeuronCount = 0,
        Tensors = candidate.Tensors,
        Layout = "scale, zero_point",
        Evidence = [evidence],
        NeuronlessBecause = Neuronless,
        Implementation = this,
    };
}
