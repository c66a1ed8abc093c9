using NeuronKit.Graph;
using NeuronKit.Neurons;

namespace NeuronKit.Stats;

/// <summary>
/// Each neuron's outgoing L2 norm, over every consumer slice that multiplies its output (the same out parts
/// <c>show --outgoing</c> gives), and whether they are all zero; only for layers whose consumers the graph knows, and
/// null for a unit no consumer reads through its weights (GPT-2's query and key units).
/// </summary>
internal static class OutgoingNorms
{
    public static LayerStats Apply(LayerGraph graph, LayerStats stats, StatsOptions options)
    {
        var layer = stats.Layer;
        var edges = graph.ConsumersOf(layer);
        if (!options.Outgoing || layer.NeuronCount == 0 || edges.Count == 0) return stats;
        // The out parts WithOutgoing gives each neuron, without its own and through parts; none for a unit no edge carries.
        var carried = new bool[layer.NeuronCount];
        var parts = new NeuronPart[layer.NeuronCount][];
        for (long j = 0; j < parts.Length; j++)
        {
            var reading = edges.Where(e => e.Carries(j)).ToList();
            carried[j] = reading.Count > 0;
            parts[j] = [.. reading.SelectMany(edge => LayerGraph.OutParts(edge, j))];
        }
        // Where something else reads the layer's output (a path NeuronKit cannot follow), zero known weights do not make a
        // neuron unused: the norm is of the known consumers' slices, and no neuron is flagged.
        bool complete = graph.Unfollowed(layer) is null;
        // Consumers read once, in row blocks; where their slices do not allow that, neuron by neuron.
        if (carried.All(c => c) && OutgoingScan.TryMeasure(parts) is { } scanned)
            return stats.WithOutgoing([.. scanned.Select(s => ((double?)s.L2, s.AllZero && complete))]);
        var outgoing = new (double? L2, bool AllZero)[layer.NeuronCount];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
        try
        {
            Parallel.For(0, parts.Length, parallel, j => outgoing[j] = carried[j] ? Measure(parts[j]) : (null, false));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first worker's own error (a CheckpointException), not the thread pool's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return stats.WithOutgoing([.. outgoing.Select(o => (o.L2, o.AllZero && complete))]);
    }

    /// <summary>The L2 norm of <paramref name="parts"/>' values, summed in their order, and whether all are zero.</summary>
    internal static (double L2, bool AllZero) Measure(IEnumerable<NeuronPart> parts)
    {
        double sum = 0;
        bool allZero = true;
        foreach (var part in parts)
            foreach (double v in part.ToDoubles())
            {
                sum += v * v;
                allZero &= v == 0;
            }
        return (Math.Sqrt(sum), allZero);
    }
}
