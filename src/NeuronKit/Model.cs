using NeuronKit.Formats;
using NeuronKit.Layers;
using NeuronKit.Neurons;

namespace NeuronKit;

/// <summary>
/// A checkpoint opened for neuron queries: its layers, and neuron j of any of them.
/// <code>
/// using var model = Model.Open("seed.pt");
/// var neuron = model.Neuron("0", 1);
/// double[] weights = neuron.Part("weight")!.ToDoubles();
/// </code>
/// </summary>
public sealed class Model : IDisposable
{
    private Model(Checkpoint checkpoint)
    {
        Checkpoint = checkpoint;
        Layers = LayerInference.Infer(checkpoint);
    }

    /// <summary>Opens <paramref name="path"/>, whatever its format, reading only its header or index.</summary>
    public static Model Open(string path)
    {
        var checkpoint = CheckpointFormats.Open(path);
        try
        {
            return new Model(checkpoint);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>The opened file: tensors, metadata, format.</summary>
    public Checkpoint Checkpoint { get; }

    /// <summary>Every layer, in the order of the file's tensors.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>
    /// The layer named <paramref name="name"/> (a layer name or any of its tensors' names). <paramref name="kind"/>
    /// reads it as that kind instead of the inferred one. Throws <see cref="RequestException"/> with suggestions.
    /// </summary>
    public Layer Layer(string name, string? kind = null) => LayerAddressing.Resolve(this, name, kind);

    /// <summary>Neuron <paramref name="index"/> (negative counts from the end) of layer <paramref name="layer"/>.</summary>
    public Neuron Neuron(string layer, long index) => Layer(layer).Neuron(index);

    /// <inheritdoc/>
    public void Dispose() => Checkpoint.Dispose();
}
