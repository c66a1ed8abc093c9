using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
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
        Parts = [.. neuron.Parts.Select(part => new LivePart(part, View(tensors[part.Tensor], part.Slice)))];
    }

    /// <summary>The NeuronKit neuron, as <see cref="Model.Neuron"/> gives it for a file.</summary>
    public Neuron Neuron { get; }

    /// <summary>The layer the neuron belongs to.</summary>
    public Layer Layer => Neuron.Layer;

    /// <summary>The neuron's index in its layer (never negative).</summary>
    public long Index => Neuron.Index;

    /// <summary>Every part, in the order <c>neuron show</c> prints them.</summary>
    public IReadOnlyList<LivePart> Parts { get; }

    /// <summary>The part whose role is named <paramref name="role"/> (and gate, for recurrent and attention layers), or null.</summary>
    public LivePart? Part(string role, string? gate = null) =>
        Parts.FirstOrDefault(p => p.Role.Name == role && (gate is null || p.Gate?.Name == gate));

    /// <summary>The part playing <paramref name="role"/> (and <paramref name="gate"/>, when given), or null.</summary>
    public LivePart? Part(PartRole role, Gate? gate = null) =>
        Parts.FirstOrDefault(p => p.Role == role && (gate is null || p.Gate == gate));

    /// <summary>A recurrent unit's effective bias per gate, as <see cref="Neurons.Neuron.EffectiveBiases"/> gives it for a file.</summary>
    public IReadOnlyList<EffectiveBias> EffectiveBiases => Neuron.EffectiveBiases;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var part in Parts) part.Tensor.Dispose();
    }

    // A view of a detached alias: it shares the parameter's memory but not its autograd history, so reading a neuron
    // never joins the graph, and later in-place updates of the parameter (an optimizer step) leave the view usable.
    // (A view taken under no_grad would still require grad in TorchSharp 0.107, and would fail once its base changed.)
    private static Tensor View(Tensor tensor, TensorSlice slice)
    {
        using var alias = tensor.detach();
        return alias.index(PartIndex.Of(slice));
    }

    /// <inheritdoc/>
    public override string ToString() => $"neuron {Index} of layer {Layer}";
}
