using NeuronKit.Formats;
using NeuronKit.Graph;
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
/// A model is safe to read from many threads at once (a server answering requests in parallel opens each file once):
/// what it reads is immutable after <see cref="Open(string)"/> (the file is mapped read-only, layers are inferred up front, the
/// graph is built once on first use), and every query makes its own objects. Only <see cref="Dispose"/> must not race
/// with reads.
/// </summary>
public sealed class Model : IDisposable
{
    private readonly Lazy<LayerGraph> _graph;

    private Model(Checkpoint checkpoint)
    {
        Checkpoint = checkpoint;
        Layers = LayerInference.Infer(checkpoint);
        _graph = new Lazy<LayerGraph>(() => LayerGraphInference.Infer(Layers, Checkpoint), LazyThreadSafetyMode.ExecutionAndPublication);
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

    /// <summary>
    /// Opens <paramref name="url"/> with <paramref name="remote"/>'s timeouts, retries and cache (<see cref="Open(string)"/>
    /// uses <see cref="Remote.RemoteOptions.Default"/>), and the shards and external data opened with it likewise. An open
    /// of the same URL with other options reads through a session of its own.
    /// </summary>
    public static Model Open(string url, Remote.RemoteOptions remote)
    {
        if (!Tensors.ByteSources.IsUrl(url)) return Open(url);
        using (Remote.HttpRangeSource.Use(remote)) return Open(url);
    }

    /// <summary>Infers the layers of an already opened <paramref name="checkpoint"/>; the model owns it from then on.</summary>
    public static Model Create(Checkpoint checkpoint) => new(checkpoint);

    /// <summary>The opened file: tensors, metadata, format.</summary>
    public Checkpoint Checkpoint { get; }

    /// <summary>Every layer, in the order of the file's tensors.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Which layers consume which layer's output (built when first asked for): what outgoing weights are read from.</summary>
    public LayerGraph Graph => _graph.Value;

    /// <summary>
    /// The edge from <paramref name="producer"/> to the layer named <paramref name="consumer"/>, as a user names it
    /// (<c>--consumer</c>): the one the graph found when it found one, else as the shapes fit (a bidirectional sub-layer's reverse
    /// unit j is input H + j; a recurrent layer named as its own consumer is read through its weight_hh). Throws
    /// <see cref="RequestException"/> saying why not.
    /// </summary>
    public LayerEdge Edge(Layer producer, string consumer) => Edge(producer, consumer, []);

    // As Edge(producer, consumer), with per-channel layers named on the way (a BatchNorm between them).
    private LayerEdge Edge(Layer producer, string consumer, IReadOnlyList<Layer> through)
    {
        var layer = Layer(consumer);
        string evidence = $"--consumer {consumer} (asked for)" + (through.Count == 0 ? "" : $", through {string.Join(", ", through.Select(t => t.Name))}");
        // A consumer the file already names keeps the mapping found for it (an offset after a concatenation, GPT-2's value third).
        if (Graph.ConsumersOf(producer).FirstOrDefault(e => e.Consumer == layer) is { } found)
            return found with { Evidence = [evidence, .. found.Evidence], Assumed = false };
        if (layer == producer)
            return producer.Implementation.FeedbackParts(producer, 0) is not null
                ? RecurrentEdges.Feedback(producer, evidence)
                : throw new RequestException($"layer '{producer.Name}' ({producer.Kind}) does not read its own output");
        var directions = RecurrentEdges.Directions(Layers.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First()), producer);
        return (directions.Count > 1
                ? GraphConventions.FitConcatenated(producer, layer, directions, evidence, assumed: false)
                : LayerGraph.Fit(producer, layer, through, evidence, assumed: false))
            ?? throw new RequestException(layer.Implementation.InputWidth(layer, 1) is { } width
                ? $"layer '{layer.Name}' reads {width} inputs, which do not fit the {producer.NeuronCount} neurons of '{producer.Name}'" +
                    (LayerGraph.ChannelsLast(producer) && width % producer.NeuronCount == 0
                        ? $" as one slice each: a flatten of a channels-last output interleaves them (channel j is inputs j, j + {producer.NeuronCount}, …)" : "")
                : $"layer '{layer.Name}' ({layer.Kind}) does not read channels through its weights");
    }

    /// <summary>
    /// The edges to the layers named <paramref name="consumers"/> (<c>--consumer</c>, each as <see cref="Edge(Layer, string)"/> makes it),
    /// then, for a recurrent layer, its own <c>weight_hh</c> edge: the names say what reads the layer's output, and the
    /// layer's previous output feeds its own gates whatever reads it. Naming the layer itself puts that edge where it is
    /// named instead. Throws <see cref="RequestException"/> when a name does not fit.
    /// </summary>
    public IReadOnlyList<LayerEdge> Edges(Layer producer, IReadOnlyList<string> consumers)
    {
        List<LayerEdge> edges = [.. NamedEdges(producer, consumers)];
        if (!edges.Any(e => e.Feedback) && producer.Implementation.FeedbackParts(producer, 0) is not null)
            edges.Add(RecurrentEdges.Feedback(producer, $"--consumer names what reads {producer.Name}'s output; its own recurrence reads it too"));
        return edges;
    }

    /// <summary>
    /// The edges to the layers named <paramref name="consumers"/>, each as <see cref="Edge(Layer, string)"/> makes it; a
    /// per-channel layer of the producer's width among them (a BatchNorm) is on the way to the others, as one between
    /// numbered children is, where no graph says so (Flax's Conv_0, BatchNorm_0, Dense_0). Throws
    /// <see cref="RequestException"/> when a name does not fit, or only such layers are named.
    /// </summary>
    public IReadOnlyList<LayerEdge> NamedEdges(Layer producer, IReadOnlyList<string> consumers)
    {
        var layers = consumers.Select(c => Layer(c)).ToList();
        List<Layer> through = [.. layers.Where(l => l != producer && l.Implementation.PassesChannels && l.NeuronCount == producer.NeuronCount).Distinct()];
        var readers = consumers.Where((_, k) => !through.Contains(layers[k])).ToList();
        if (through.Count > 0 && readers.Count == 0)
            throw new RequestException($"layer '{through[0].Name}' ({through[0].Kind}) passes the channels of '{producer.Name}' on, one for one: " +
                "name the layer that reads them after it too", [$"--consumer {through[0].Name} --consumer LAYER"]);
        return [.. readers.Select(c => Edge(producer, c, through))];
    }

    /// <summary>
    /// <paramref name="neuron"/> with its outgoing parts (<c>--outgoing</c>): through the consumers the graph knows, or
    /// those named in <paramref name="consumers"/> (<c>--consumer</c>, as <see cref="Edges"/> reads them).
    /// </summary>
    public Neuron WithOutgoing(Neuron neuron, IReadOnlyList<string>? consumers = null) =>
        Graph.WithOutgoing(neuron, consumers is { Count: > 0 } ? Edges(neuron.Layer, consumers) : null);

    /// <summary>
    /// The layer named <paramref name="name"/> (a layer name or any of its tensors' names). <paramref name="kind"/>
    /// reads it as that kind instead of the inferred one (<c>ConvTranspose2d</c>, <c>Linear(in,out)</c>,
    /// <c>ConvTranspose2d(groups=2)</c>); <paramref name="layout"/> (<c>in,out</c> or <c>out,in</c>) reads it as a Linear
    /// with that layout. Throws <see cref="RequestException"/> with suggestions, or saying why the kind does not fit.
    /// </summary>
    public Layer Layer(string name, string? kind = null, string? layout = null) => LayerAddressing.Resolve(Layers, Checkpoint.Graph, name, kind, layout);

    /// <summary>
    /// Neuron <paramref name="index"/> (negative counts from the end) of layer <paramref name="layer"/>, read as
    /// <paramref name="kind"/> / <paramref name="layout"/> when given (see <see cref="Layer(string, string?, string?)"/>).
    /// </summary>
    public Neuron Neuron(string layer, long index, string? kind = null, string? layout = null) => Layer(layer, kind, layout).Neuron(index);

    /// <inheritdoc/>
    public void Dispose() => Checkpoint.Dispose();
}
