using NeuronKit.Neurons;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// A module whose only tensors are quantization-aware training's fake quantization or observer buffers (a QuantStub's
/// <c>activation_post_process</c> after <c>prepare_qat</c>): a layer without neurons, listed so that <c>neuron layers</c> says
/// what the buffers are instead of showing them as rows of unknown tensors. The buffers join it as every module's do
/// (<see cref="LayerCandidate.WithActivationQuantization"/>).
/// </summary>
internal sealed class Observer : ILayerKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) =>
        candidate.Tensors.Count == 0 && candidate.ActivationQuantization.Count > 0
        && candidate.ActivationQuantization.All(t => LayerCandidate.IsFakeQuantization(t.Role))
            ? [new Layer
            {
                Name = candidate.Module,
                Kind = "Observer",
                NeuronCount = 0,
                Tensors = [],
                Layout = "fake quantization and observer buffers",
                Evidence = ["only fake quantization or observer buffers: a module that quantization-aware training observes (a QuantStub)"],
                NeuronlessBecause = "it observes or fake-quantizes what passes through it and has no weights",
                Implementation = this,
            }]
            : null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request) =>
        Match(candidate) ?? throw new RequestException($"{request.Name} has tensors besides fake quantization and observer buffers");

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron) =>
        throw new InvalidOperationException($"{layer.Name} has no neurons; Layer.Neuron refuses before asking for parts");
}
