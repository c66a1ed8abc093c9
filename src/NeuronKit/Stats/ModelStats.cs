using System.Diagnostics;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// Neuron statistics of a whole model (or of some of its layers), streamed layer by layer from the file:
/// <code>
/// using var model = Model.Open("model.pt");
/// var stats = ModelStats.Compute(model);
/// foreach (var layer in stats.Layers) Console.WriteLine($"{layer.Layer.Name}: {layer.DeadCount} dead");
/// </code>
/// </summary>
public sealed class ModelStats
{
    private ModelStats(Model model, IReadOnlyList<LayerStats> layers, IReadOnlyList<SkippedLayer> skipped, TimeSpan elapsed)
    {
        Model = model;
        Layers = layers;
        Skipped = skipped;
        Elapsed = elapsed;
    }

    /// <summary>Statistics of every layer of <paramref name="model"/>.</summary>
    public static ModelStats Compute(Model model, StatsOptions? options = null) => Compute(model, model.Layers, options);

    /// <summary>
    /// Statistics of <paramref name="layers"/> (layers of <paramref name="model"/>), in that order; a layer they cannot
    /// measure (complex weights) is left out and listed in <see cref="Skipped"/> with the reason.
    /// </summary>
    public static ModelStats Compute(Model model, IReadOnlyList<Layer> layers, StatsOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        options ??= new StatsOptions();
        var skipped = new List<SkippedLayer>();
        var measurable = new List<Layer>(layers.Count);
        foreach (var layer in layers)
            if (LayerStats.WhyNotMeasurable(layer) is { } why) skipped.Add(new SkippedLayer(layer, why));
            else measurable.Add(layer);
        // Each layer's flags and outgoing norms are found while the next layer is measured, so no core idles through
        // those serial steps (an outgoing scan reads its consumers in one pass).
        var finishing = new List<Task<LayerStats>>(measurable.Count);
        try
        {
            foreach (var layer in measurable)
            {
                var measured = LayerStats.Measure(layer, options);
                finishing.Add(Task.Run(() =>
                    NearestNeurons.Apply(OutgoingNorms.Apply(model.Graph, LayerStats.Finish(measured, options), options), options)));
            }
        }
        finally
        {
            // The caller may close the model as soon as this returns or throws: no finishing layer may still be reading it.
            Task.WhenAll(finishing).ContinueWith(_ => { }, TaskScheduler.Default).Wait();
        }
        // GetResult rethrows a failed layer's own exception (a CheckpointException), not an AggregateException.
        LayerStats[] results = [.. finishing.Select(task => task.GetAwaiter().GetResult())];
        return new ModelStats(model, results, skipped, clock.Elapsed);
    }

    /// <summary>
    /// The layers a request for statistics measures: every layer of <paramref name="model"/> (complex ones are then
    /// skipped with the reason), or the one named <paramref name="layer"/>, which is measured or refused: a
    /// <see cref="RequestException"/> says why it cannot be.
    /// </summary>
    public static IReadOnlyList<Layer> LayersFor(Model model, string? layer)
    {
        if (layer is null) return model.Layers;
        var named = model.Layer(layer);
        LayerStats.EnsureMeasurable(named);
        return [named];
    }

    /// <summary>The bytes of weights and biases that computing statistics of <paramref name="layers"/> reads: a progress bar's total.</summary>
    public static long BytesToRead(IEnumerable<Layer> layers) =>
        layers.Where(l => LayerStats.WhyNotMeasurable(l) is null).Sum(l => l.NeuronCount * LayerStats.BytesPerNeuron(l));

    /// <summary>
    /// The multiply-adds that finding every neuron's nearest neighbour in <paramref name="layers"/> takes
    /// (<see cref="StatsOptions.Similar"/>): N·(N − 1)/2 · D a layer, for D incoming weights per neuron.
    /// </summary>
    public static double SimilarityWork(IEnumerable<Layer> layers) =>
        layers.Where(l => LayerStats.WhyNotMeasurable(l) is null).Sum(NearestNeurons.Work);

    /// <summary>The model.</summary>
    public Model Model { get; }

    /// <summary>Every measured layer's statistics.</summary>
    public IReadOnlyList<LayerStats> Layers { get; }

    /// <summary>The layers that were asked for but not measured, with the reason (complex weights), in their order.</summary>
    public IReadOnlyList<SkippedLayer> Skipped { get; }

    /// <summary>How long computing them took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Neurons in all layers.</summary>
    public long NeuronCount => Layers.Sum(l => (long)l.Neurons.Count);

    /// <summary>Incoming weights in all layers.</summary>
    public long Weights => Layers.Sum(l => l.Weights);

    /// <summary>Exactly-zero weights in all layers.</summary>
    public long Zeros => Layers.Sum(l => l.Zeros);

    /// <summary>Dead neurons in all layers.</summary>
    public long DeadCount => Layers.Sum(l => (long)l.DeadCount);

    /// <summary>Duplicate neurons in all layers.</summary>
    public long DuplicateCount => Layers.Sum(l => (long)l.DuplicateCount);

    /// <summary>Outlier neurons in all layers.</summary>
    public long OutlierCount => Layers.Sum(l => (long)l.OutlierCount);

    /// <summary>Neurons with a near-duplicate in their layer (<see cref="NeuronStats.Similar"/>), in all layers.</summary>
    public long SimilarCount => Layers.Sum(l => (long)l.SimilarCount);

    /// <summary>Neurons whose outgoing weights are all zero, in every layer whose consumers the graph knows.</summary>
    public long UnusedCount => Layers.Sum(l => (long)l.UnusedCount);

    /// <summary>Bytes of weights and biases read.</summary>
    public long BytesRead => Layers.Sum(l => l.BytesRead);
}
