using NeuronKit.Layers;
using NeuronKit.Layers.Kinds;
using NeuronKit.Neurons;

namespace NeuronKit.Graph;

/// <summary>
/// Which layers consume which layer's output, and how its channels map on the way: what a neuron's outgoing weights are
/// read from. Built from the strongest evidence the file gives; a layer the evidence says nothing of has no consumers.
/// </summary>
public sealed class LayerGraph
{
    private readonly IReadOnlyDictionary<Layer, IReadOnlyList<LayerEdge>> _consumers;
    private readonly IReadOnlyDictionary<Layer, string> _whyNone;
    private readonly IReadOnlyDictionary<Layer, string> _unfollowed;

    internal LayerGraph(IReadOnlyDictionary<Layer, IReadOnlyList<LayerEdge>> consumers, IReadOnlyDictionary<Layer, string> whyNone,
        IReadOnlyDictionary<Layer, string>? unfollowed = null)
    {
        _consumers = consumers;
        _whyNone = whyNone;
        _unfollowed = unfollowed ?? new Dictionary<Layer, string>();
    }

    /// <summary>The consumers of <paramref name="layer"/>'s output; empty when the file says of none.</summary>
    public IReadOnlyList<LayerEdge> ConsumersOf(Layer layer) => _consumers.GetValueOrDefault(layer) ?? [];

    /// <summary>
    /// What else reads <paramref name="layer"/>'s output, where the file says so but NeuronKit cannot follow the channels to a
    /// consumer (a Concat with an input it cannot count, a Softmax), beside the consumers it found; null when there is nothing
    /// else. Then the known consumers' slices are not all of the neuron's outgoing weights: zeroing them does not silence it.
    /// </summary>
    public string? Unfollowed(Layer layer) => _unfollowed.GetValueOrDefault(layer);

    /// <summary>
    /// True for a PyTorch LSTM sub-layer with <c>proj_size</c>: its output is <c>weight_hr</c>'s projection of its hidden
    /// units, so a unit reaches it only through its own column of weight_hr.
    /// </summary>
    internal static bool IsProjected(Layer layer) => layer.Implementation is Recurrent && layer.Role("weight_hr") is not null;

    /// <summary>Why <paramref name="layer"/> has no known consumer (it is the last layer; no evidence matched).</summary>
    public string WhyNoConsumer(Layer layer) => _whyNone.GetValueOrDefault(layer) ?? "no graph in the file and no convention says what reads it";

    /// <summary>
    /// <paramref name="neuron"/>'s parts followed by its outgoing ones: per consumer, channel j of each layer on the way
    /// (<see cref="PartDirection.Through"/>), then the slices of the consumer's weights that multiply it
    /// (<see cref="PartDirection.Out"/>). <paramref name="edges"/> overrides the graph's consumers (<c>--consumer</c>).
    /// Throws <see cref="RequestException"/> when the layer has no known consumer, or none reads this neuron through its weights
    /// (a GPT-2 query or key unit, which acts through the attention softmax).
    /// </summary>
    public Neuron WithOutgoing(Neuron neuron, IReadOnlyList<LayerEdge>? edges = null)
    {
        edges ??= ConsumersOf(neuron.Layer);
        if (edges.Count == 0 && IsProjected(neuron.Layer))
            throw new RequestException($"layer '{neuron.Layer.Name}' projects its hidden state (LSTM proj_size): unit {neuron.Index}'s outgoing " +
                $"weights are the projection's input column {neuron.Layer.Role("weight_hr")!.Tensor.Name}[:, {neuron.Index}], one of its own parts, " +
                "and what reads the layer's output reads the projection, not the unit",
                ["edit without --outgoing: its own parts include that column, so --zero ablates the unit"]);
        if (edges.Count == 0)
            throw new RequestException($"layer '{neuron.Layer.Name}' has no known consumer: {WhyNoConsumer(neuron.Layer)}",
                ["name it with --consumer LAYER"]);
        if (edges.All(e => !e.Carries(neuron.Index)))
            throw new RequestException(edges[0].Blocks!.WhyNot(neuron.Layer.Name, neuron.Index, edges[0].Consumer.Name));
        List<NeuronPart> parts = [.. neuron.Parts];
        foreach (var edge in edges.Where(e => e.Carries(neuron.Index)))
        {
            foreach (var through in edge.Through)
                parts.AddRange(through.Neuron(edge.ThroughIndex(through, neuron.Index)).Parts.Select(p => through.Implementation.SharedByEveryChannel(through)
                    ? p.ThroughShared(edge.Consumer.Name, $"{through.Name} ({through.Kind}) has this one {p.Role.Name} for every channel")
                    : p.Toward(PartDirection.Through, edge.Consumer.Name)));
            parts.AddRange(OutParts(edge, neuron.Index));
        }
        return neuron with { Parts = parts };
    }

    /// <summary>
    /// The slices of <paramref name="edge"/>'s consumer weights that multiply channel <paramref name="index"/> of its producer
    /// (<see cref="PartDirection.Out"/>): what <see cref="WithOutgoing"/> adds after the through parts, without the neuron.
    /// </summary>
    internal static IEnumerable<NeuronPart> OutParts(LayerEdge edge, long index)
    {
        var kind = edge.Consumer.Implementation;
        var reads = edge.Feedback ? kind.FeedbackParts(edge.Consumer, index) : InputParts(edge, index);
        if (reads is null)
            throw new RequestException($"layer '{edge.Consumer.Name}' ({edge.Consumer.Kind}) does not read channels through its weights");
        return reads.Select(p => p.Toward(PartDirection.Out, edge.Consumer.Name));
    }

    // The consumer's slices that read channel `index`: one run of inputs, or one per query head that shares a value unit
    // (grouped-query attention); null when the consumer does not read channels through its weights.
    private static List<NeuronPart>? InputParts(LayerEdge edge, long index)
    {
        var kind = edge.Consumer.Implementation;
        var runs = edge.Map.Firsts(index).Select(first => kind.InputParts(edge.Consumer, first, edge.Map.Spread, edge.Groups)).ToList();
        return runs.Any(r => r is null) ? null : [.. runs.SelectMany(r => r!)];
    }

    /// <summary>
    /// The edge from <paramref name="producer"/> to <paramref name="consumer"/> that shapes allow (the consumer's inputs equal
    /// the <paramref name="channels"/> it is fed, by default the producer's neurons, or a whole multiple of them for a flatten;
    /// a grouped convolution's groups follow), with <paramref name="through"/> on the way; null when the shapes do not fit.
    /// <paramref name="consumerGroups"/> are the consumer's groups where the file gives them (an ONNX Conv's <c>group</c>); where it
    /// does not (a state dict), a consumer reading a whole fraction of the channels is taken as grouped, except after a fully
    /// connected layer: its units reach a convolution only through a reshape (<c>nn.Unflatten</c>, <c>view</c>), which
    /// spreads each input channel over several of them, so no slice is one unit's.
    /// </summary>
    public static LayerEdge? Fit(Layer producer, Layer consumer, IReadOnlyList<Layer> through, string evidence, bool assumed, long? channels = null,
        long? consumerGroups = null)
    {
        long fed = channels ?? producer.NeuronCount;
        var kind = consumer.Implementation;
        if (fed <= 0 || kind.InputWidth(consumer, 1) is not { } width || width <= 0) return null;
        string inputs = $"{consumer.Name} reads {width} input{(width == 1 ? "" : "s")}";
        // A consumer whose weight holds every input whatever its groups (a ConvTranspose's [in, out/groups, …]) reads channel j as input j.
        bool grouped = kind.InputWidth(consumer, 2) != width;
        if (width == fed && (consumerGroups is null or 1 || !grouped))
            return new(consumer, ChannelMap.Identity, 1, through, [evidence, fed == producer.NeuronCount ? $"{inputs}, one per neuron of {producer.Name}" : $"{inputs}, one per channel it is fed ({fed})"], assumed);
        grouped &= consumerGroups is { } known ? known == fed / width : !FullyConnected(producer);
        if (grouped && fed % width == 0 && consumer.NeuronCount % (fed / width) == 0)
        {
            long groups = fed / width;
            return new(consumer, ChannelMap.Identity, groups, through,
                [evidence, $"{inputs} per group of the {fed} channels it is fed: groups = {groups}" + (width == 1 ? " (depthwise)" : "")], assumed);
        }
        // Only a fully connected layer reads a flattened input; a channels-last producer's flatten interleaves its channels
        // (unit j is inputs j, j + units, …), and so does one a Keras PReLU on the way shows to keep other axes before its
        // channels (alpha [d…, C]).
        if (consumer.Implementation is Linear && width % fed == 0 && !ChannelsLast(producer) && !through.Any(ChannelsLast))
        {
            long spread = width / fed;
            return new(consumer, new ChannelMap(0, spread), 1, through,
                [evidence, $"{inputs} = {fed} channels × {spread} positions: a flatten between them, channel j is inputs j·{spread} to (j + 1)·{spread} − 1"], assumed);
        }
        return null;
    }

    // A layer whose units are the last axis of its output and no spatial map's channels: a Linear's, an embedding's, a
    // recurrent layer's.
    private static bool FullyConnected(Layer layer) =>
        layer.Implementation is Linear or DenseGeneral or Bilinear or Embedding or MultiheadAttention or Experts || layer.Gates is not null;

    /// <summary>
    /// True when a producer's <paramref name="channels"/> channels pass through <paramref name="layer"/> one by one: a per-channel
    /// layer (a norm, a PReLU) with an entry per channel, or one whose one entry every channel shares (PReLU()).
    /// </summary>
    internal static bool PassesOn(Layer layer, long channels) =>
        layer.Implementation.PassesChannels && (layer.NeuronCount == channels || layer.Implementation.SharedByEveryChannel(layer));

    /// <summary>
    /// True when <paramref name="layer"/>'s output keeps its channels last behind other axes, so a flatten interleaves them:
    /// a Keras convolution's, a Keras PReLU's whose alpha [d…, C] has the shape of such an input, and that of every layer
    /// that acts on its input's last axis (a fully connected layer over a sequence [time, features] makes [time, units], a
    /// recurrent layer's output is [time, units], an embedding's [tokens, dim]). Only a channels-first convolution's
    /// flatten keeps channel j's values together.
    /// </summary>
    internal static bool ChannelsLast(Layer layer) =>
        layer.Implementation is ChannelsLastConv or ChannelsLastConvTranspose or ChannelsLastDepthwiseConv
        || FullyConnected(layer)
        || (layer.Implementation is PRelu && layer.Role("alpha") is { Tensor.Shape.Count: > 1 });
}
