using NeuronKit.Layers;
using NeuronKit.Neurons;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// Neuron <see cref="Index"/> of <see cref="Layer"/> of a live module: every slice of the layer's tensors that belongs to it,
/// each as a NeuronKit part and as a TorchSharp view. Disposing it releases the views (never the module's tensors).
/// </summary>
public sealed class LiveNeuron : IDisposable
{
    internal LiveNeuron(Neuron neuron, IReadOnlyDictionary<string, Tensor> tensors)
    {
        Neuron = neuron;
        // Views made under no_grad: reading a neuron must not join the autograd graph of a parameter that requires grad.
        using var noGrad = torch.no_grad();
        Parts = [.. neuron.Parts.Select(part => new LivePart(part, tensors[part.Tensor].index(PartIndex.Parse(part.Index))))];
    }

    /// <summary>The NeuronKit neuron, as <see cref="Model.Neuron"/> gives it for a file.</summary>
    public Neuron Neuron { get; }

    /// <summary>The layer the neuron belongs to.</summary>
    public Layer Layer => Neuron.Layer;

    /// <summary>The neuron's index in its layer (never negative).</summary>
    public long Index => Neuron.Index;

    /// <summary>Every part, in the order <c>neuron show</c> prints them.</summary>
    public IReadOnlyList<LivePart> Parts { get; }

    /// <summary>The part with role <paramref name="role"/> (and gate, for recurrent and attention layers), or null.</summary>
    public LivePart? Part(string role, string? gate = null) =>
        Parts.FirstOrDefault(p => p.Role == role && (gate is null || p.Gate == gate));

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var part in Parts) part.Tensor.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"neuron {Index} of {Layer}";
}
