using NeuronKit.Graph;
using NeuronKit.Layers;
using NeuronKit.Neurons;

namespace NeuronKit.Edits;

/// <summary>
/// A grouped convolution (weight [out, in/groups, k…]: ResNeXt's, RegNet's) reads its input channels in groups: group g is
/// input channels g·i to g·i + i − 1 and the filters g·o to g·o + o − 1 that read them alone. A prune of a whole group's
/// channels takes its filters along, and a prune of a whole group's filters takes its channels, from whichever layers make
/// them; the convolution has a group fewer for each. A depthwise convolution (MobileNet's, EfficientNet's; Keras'
/// DepthwiseConv2D, kernel [k…, C, m]) has a group per input channel, so a prune of any of its channels is one of groups.
/// A grouped transposed convolution (weight [in, out/groups, k…]) groups its input rows and output channels alike, and a
/// Keras Conv2D with groups (kernel [k…, in/groups, filters]) as a Conv does.
/// </summary>
internal static class ConvGroups
{
    /// <summary>The groups <paramref name="edge"/>'s consumer reads its input in (a ConvTranspose's from its own weight, which its edge needs not).</summary>
    public static long Groups(LayerEdge edge) => !edge.Feedback && IsTransposed(edge.Consumer) ? Layers.Kinds.ConvTranspose.Groups(edge.Consumer) : edge.Groups;

    /// <summary>True when <paramref name="edge"/>'s consumer is a convolution reading the producer's channels in groups.</summary>
    public static bool IsGrouped(LayerEdge edge) =>
        !edge.Feedback && edge.Map.Spread == 1 && (IsChannelsLast(edge.Consumer)
            || Groups(edge) > 1 && edge.Consumer.Implementation is Layers.Kinds.Conv or Layers.Kinds.ConvTranspose or Layers.Kinds.ChannelsLastConv);

    /// <summary>True when <paramref name="edge"/>'s consumer is a depthwise convolution reading one group per channel.</summary>
    public static bool IsDepthwise(LayerEdge edge) => IsGrouped(edge) && InputsPerGroup(edge) == 1;

    /// <summary>The input channels each group reads.</summary>
    public static long InputsPerGroup(LayerEdge edge) => InputsPerGroup(edge.Consumer, Groups(edge));

    /// <summary>The input channels each of <paramref name="groups"/> groups of <paramref name="layer"/>, a convolution, reads.</summary>
    public static long InputsPerGroup(Layer layer, long groups)
    {
        var weight = layer.Role("weight")!.Tensor;
        return layer.Implementation switch
        {
            Layers.Kinds.ChannelsLastDepthwiseConv => 1,
            Layers.Kinds.ConvTranspose => weight.Shape[0] / Math.Max(groups, 1),   // [in, out/groups, k…]
            Layers.Kinds.ChannelsLastConv => weight.Shape[^2],                     // [k…, in/groups, filters]
            _ => weight.Shape[1],                                                  // [out, in/groups, k…]
        };
    }

    /// <summary>The filters of each group: a depthwise convolution's channel multiplier.</summary>
    public static long FiltersPerGroup(LayerEdge edge) =>
        IsChannelsLast(edge.Consumer) ? edge.Consumer.Role("weight")!.Tensor.Shape[^1] : edge.Consumer.NeuronCount / Groups(edge);

    /// <summary>
    /// True when <paramref name="layer"/> is a transposed convolution (weight [in, out/groups, k…]), whose output channel k of
    /// group g is column k of that group's input rows: its groups share each column, so they lose the same output channels
    /// or whole groups (the rows of those).
    /// </summary>
    public static bool IsTransposed(Layer layer) => layer.Implementation is Layers.Kinds.ConvTranspose;

    /// <summary>
    /// The one dimension of its weight that a grouped transposed convolution's own part of output channel
    /// <paramref name="neuron"/> (weight[g·i:(g+1)·i, k]) is cut along, where the prune removes <paramref name="removed"/>
    /// of its output channels: the group's rows (dimension 0) where the whole group goes, else column k (dimension 1), which
    /// every group loses alike (ModelPrune.CheckGroups); null for any other part or layer.
    /// </summary>
    public static int? TransposedDimension(Layer layer, NeuronPart part, long neuron, IReadOnlySet<long> removed)
    {
        if (!IsTransposed(layer) || part.Direction != PartDirection.In || part.Role != PartRole.Weight
            || part.Tensor != layer.Role("weight")!.Tensor.Name)
            return null;
        long perGroup = layer.Role("weight")!.Tensor.Shape[1], group = neuron / perGroup;
        if (layer.NeuronCount == perGroup) return null;   // one group: its whole rows are every row, and the column alone is cut
        bool whole = Enumerable.Range(0, checked((int)perGroup)).All(k => removed.Contains(group * perGroup + k));
        return whole ? 0 : 1;
    }

    /// <summary>True when <paramref name="layer"/> is a Keras depthwise convolution, whose kernel [k…, in, multiplier] holds filter c·m + k at [c, k].</summary>
    public static bool IsChannelsLast(Layer layer) => layer.Implementation is Layers.Kinds.ChannelsLastDepthwiseConv;

    /// <summary>
    /// True when <paramref name="part"/> is a Keras depthwise convolution's own kernel slice, kernel[…, c, k]: a prune takes
    /// all of channel c's filters or none (ModelPrune.CheckGroups), so it cuts the kernel's dimension <c>in</c> at c alone.
    /// </summary>
    public static bool IsChannelsLastFilter(Model model, NeuronPart part) =>
        part.Direction == PartDirection.In && part.Role == PartRole.Weight
        && model.Layers.Any(l => IsChannelsLast(l) && l.Role("weight")!.Tensor.Name == part.Tensor);

    /// <summary>Every layer that <paramref name="consumer"/> reads in groups, with its edge.</summary>
    public static IEnumerable<(Layer Producer, LayerEdge Edge)> Into(Model model, Layer consumer) =>
        model.Layers.SelectMany(p => model.Graph.ConsumersOf(p).Where(e => e.Consumer == consumer && IsGrouped(e)).Select(e => (p, e)));

    /// <summary>The input channels of <paramref name="consumer"/> that the channels <paramref name="removed"/> from its producers are.</summary>
    public static SortedSet<long> RemovedInputs(Model model, Layer consumer, Func<Layer, IEnumerable<long>?> removed) =>
        [.. Into(model, consumer).SelectMany(p => (removed(p.Producer) ?? []).Where(p.Edge.Carries).Select(p.Edge.Map.First))];

    /// <summary>The groups all of whose input channels <paramref name="inputs"/> holds.</summary>
    public static IEnumerable<long> WholeGroups(LayerEdge edge, IEnumerable<long> inputs)
    {
        long i = InputsPerGroup(edge);
        return inputs.GroupBy(c => c / i).Where(g => g.LongCount() == i).Select(g => g.Key);
    }

    /// <summary>The filters of group <paramref name="group"/>.</summary>
    public static IEnumerable<long> Filters(LayerEdge edge, long group)
    {
        long o = FiltersPerGroup(edge);
        for (long k = 0; k < o; k++) yield return group * o + k;
    }

    /// <summary>
    /// The channels of each producer of <paramref name="consumer"/> that its removed <paramref name="filters"/> read, where they
    /// remove every filter of their group (a group losing some of its filters keeps its input channels).
    /// </summary>
    public static IEnumerable<(Layer Producer, List<long> Channels)> Producers(Model model, Layer consumer, IReadOnlyCollection<long> filters)
    {
        foreach (var (producer, edge) in Into(model, consumer))
        {
            long o = FiltersPerGroup(edge), i = InputsPerGroup(edge);
            var groups = filters.GroupBy(f => f / o).Where(g => g.LongCount() == o).Select(g => g.Key).ToHashSet();
            var channels = Enumerable.Range(0, checked((int)producer.NeuronCount)).Select(c => (long)c)
                .Where(c => edge.Carries(c) && groups.Contains(edge.Map.First(c) / i)).ToList();
            if (channels.Count > 0) yield return (producer, channels);
        }
    }
}
