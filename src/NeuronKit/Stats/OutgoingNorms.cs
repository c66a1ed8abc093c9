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
        if (!options.Outgoing || layer.NeuronCount == 0 || graph.ConsumersOf(layer).Count == 0) return stats;
        var outgoing = new (double? L2, bool AllZero)[layer.NeuronCount];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
        try
        {
            Measure(graph, layer, outgoing, parallel);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first worker's own error (a CheckpointException), not the thread pool's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return stats.WithOutgoing(outgoing);
    }

    private static void Measure(LayerGraph graph, Layers.Layer layer, (double? L2, bool AllZero)[] outgoing, ParallelOptions parallel) =>
        Parallel.For(0, layer.NeuronCount, parallel, j =>
        {
            if (!graph.ConsumersOf(layer).Any(e => e.Carries(j)))
            {
                outgoing[j] = (null, false); // a GPT-2 query or key unit: it acts through the softmax, no weight slice
                return;
            }
            double sum = 0;
            bool allZero = true;
            foreach (var part in graph.WithOutgoing(layer.Neuron(j)).Parts.Where(p => p.Direction == PartDirection.Out))
                foreach (double v in part.ToDoubles())
                {
                    sum += v * v;
                    allZero &= v == 0;
                }
            outgoing[j] = (Math.Sqrt(sum), allZero);
        });
}
