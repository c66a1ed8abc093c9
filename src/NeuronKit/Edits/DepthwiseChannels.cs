using NeuronKit.Graph;
using NeuronKit.Layers;
using NeuronKit.Neurons;

namespace NeuronKit.Edits;

/// <summary>
/// A depthwise convolution (weight [C·m, 1, k…] in C groups: MobileNet's, EfficientNet's; Keras' DepthwiseConv2D, kernel
/// [k…, C, m]) filters input channel c by m filters of its own, c·m to c·m + m − 1, whose outputs read nothing else: a
/// prune of the channel takes those filters, and a prune of the filters takes the channel, from whichever layer makes it.
/// </summary>
internal static class DepthwiseChannels
{
    /// <summary>True when <paramref name="edge"/>'s consumer is a depthwise convolution reading one group per channel.</summary>
    public static bool IsDepthwise(LayerEdge edge) =>
        !edge.Feedback && edge.Map.Spread == 1 && (IsChannelsLast(edge.Consumer)
            || edge.Groups > 1 && edge.Consumer.Implementation is Layers.Kinds.Conv && edge.Consumer.Role("weight")!.Tensor.Shape[1] == 1);

    /// <summary>The filters of each group: the depthwise convolution's channel multiplier.</summary>
    public static long Multiplier(LayerEdge edge) =>
        IsChannelsLast(edge.Consumer) ? edge.Consumer.Role("weight")!.Tensor.Shape[^1] : edge.Consumer.NeuronCount / edge.Groups;

    /// <summary>True when <paramref name="layer"/> is a Keras depthwise convolution, whose kernel [k…, in, multiplier] holds filter c·m + k at [c, k].</summary>
    public static bool IsChannelsLast(Layer layer) => layer.Implementation is Layers.Kinds.ChannelsLastDepthwiseConv;

    /// <summary>
    /// True when <paramref name="part"/> is a Keras depthwise convolution's own kernel slice, kernel[…, c, k]: a prune takes
    /// all of channel c's filters or none (ModelPrune.CheckGroups), so it cuts the kernel's dimension <c>in</c> at c alone.
    /// </summary>
    public static bool IsChannelsLastFilter(Model model, NeuronPart part) =>
        part.Direction == PartDirection.In && part.Role == PartRole.Weight
        && model.Layers.Any(l => IsChannelsLast(l) && l.Role("weight")!.Tensor.Name == part.Tensor);

    /// <summary>The consumer's filters that read the producer's channel <paramref name="channel"/> alone.</summary>
    public static IEnumerable<long> Filters(LayerEdge edge, long channel)
    {
        long m = Multiplier(edge), first = edge.Map.First(channel) * m;
        for (long k = 0; k < m; k++) yield return first + k;
    }

    /// <summary>
    /// The channels of each producer of <paramref name="depthwise"/> that its removed <paramref name="filters"/> read, where they
    /// remove every filter of their group (a group losing some of its filters keeps its input channel).
    /// </summary>
    public static IEnumerable<(Layer Producer, List<long> Channels)> Producers(Model model, Layer depthwise, IReadOnlyCollection<long> filters)
    {
        foreach (var producer in model.Layers)
            foreach (var edge in model.Graph.ConsumersOf(producer).Where(e => e.Consumer == depthwise && IsDepthwise(e)))
            {
                long m = Multiplier(edge);
                var channels = filters.GroupBy(f => f / m).Where(g => g.LongCount() == m).Select(g => g.Key - edge.Map.Offset)
                    .Where(c => c >= 0 && c < producer.NeuronCount && edge.Carries(c)).ToList();
                if (channels.Count > 0) yield return (producer, channels);
            }
    }
}
