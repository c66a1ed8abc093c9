using NeuronKit.Graph;
using NeuronKit.Neurons;

namespace NeuronKit.Stats;

/// <summary>
/// Each neuron's outgoing L2 norm, over every consumer slice that multiplies its output (the same out parts
/// <c>show --outgoing</c> gives), and whether they are all zero; only for layers whose consumers the graph knows.
/// </summary>
internal static class OutgoingNorms
{
    public static LayerStats Apply(LayerGraph graph, LayerStats stats, StatsOptions options)
    {
        var layer = stats.Layer;
        var edges = graph.ConsumersOf(layer);
        if (!options.Outgoing || layer.NeuronCount == 0 || edges.Count == 0) return stats;
        // The out parts WithOutgoing gives each neuron, without its own and through parts.
        NeuronPart[][] parts = new NeuronPart[layer.NeuronCount][];
        for (long j = 0; j < parts.Length; j++)
            parts[j] = [.. edges.SelectMany(edge => LayerGraph.OutParts(edge, j))];
        // Consumers read once, in row blocks; where their slices do not allow that, neuron by neuron.
        if (OutgoingScan.TryMeasure(parts) is { } scanned) return stats.WithOutgoing(scanned);
        var outgoing = new (double L2, bool AllZero)[layer.NeuronCount];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
        try
        {
            Parallel.For(0, parts.Length, parallel, j => outgoing[j] = Measure(parts[j]));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first worker's own error (a CheckpointException), not the thread pool's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return stats.WithOutgoing(outgoing);
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
