using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

public sealed partial class LayerStats
{
    // Neurons per parallel block: about this many bytes, loaded with one read per run of slices (BlockBytes) and then
    // measured from cache; blocks go through the file in order.
    internal const long BytesPerBlock = 256 << 10;

    /// <summary>
    /// Statistics of every neuron of <paramref name="layer"/>, read in parallel blocks straight from the file; throws
    /// <see cref="RequestException"/> for a layer they cannot measure (<see cref="WhyNotMeasurable"/>).
    /// </summary>
    public static LayerStats Compute(Layer layer, StatsOptions? options = null)
    {
        EnsureMeasurable(layer);
        options ??= new StatsOptions();
        return NearestNeurons.Apply(Finish(Measure(layer, options), options), options);
    }

    /// <summary>
    /// Why the statistics cannot measure <paramref name="layer"/>, or null when they can: a complex tensor
    /// (<c>weights1 is complex64</c>): min, max, mean, std, zeros and the flags are defined for real numbers only, and a
    /// summary of the moduli |z| alone would drop the phase a spectral weight carries, so it is not offered as the same
    /// numbers; or a tensor that repeats its stored values billions of times (<see cref="RepeatedViews"/>), every repeat
    /// of which would be measured.
    /// </summary>
    public static string? WhyNotMeasurable(Layer layer) => Unmeasurable(layer)?.Why;

    /// <summary>Throws <see cref="RequestException"/>, naming the layer, when <see cref="WhyNotMeasurable"/> has a reason.</summary>
    public static void EnsureMeasurable(Layer layer)
    {
        if (Unmeasurable(layer) is var (why, hint))
            throw new RequestException($"neuron stats cannot measure layer '{layer.Name}': {why}", [hint]);
    }

    private static (string Why, string Hint)? Unmeasurable(Layer layer)
    {
        if (layer.Tensors.FirstOrDefault(t => t.Tensor.DType.IsComplex()) is { } complex)
            return ($"{complex.Tensor.Name} is {complex.Tensor.DType.Name()}, and the statistics are of real numbers",
                "'neuron show' prints its neurons' values as (re, im) pairs");
        return RepeatedViews.DescribeIn(layer) is { } repeated
            ? ($"{repeated}, and measuring every repeat would take minutes", "'neuron show' reads its neurons' values")
            : null;
    }

    /// <summary>The bytes of weights and biases one neuron of <paramref name="layer"/> reads (all neurons of a layer read as many).</summary>
    internal static long BytesPerNeuron(Layer layer) =>
        layer.NeuronCount == 0 ? 0 : layer.Neuron(0).Parts.Sum(p => p.View.ElementCount * p.DType.Size());

    /// <summary>A layer whose neurons are measured but not yet flagged.</summary>
    internal sealed record Measured(Layer Layer, NeuronStats[] Neurons, long BytesRead);

    /// <summary>Every neuron's statistics, read in parallel blocks; the flags are left to <see cref="Finish"/>.</summary>
    internal static Measured Measure(Layer layer, StatsOptions options)
    {
        long count = layer.NeuronCount;
        var neurons = new NeuronStats[count];
        long blockNeurons = Math.Max(1, BytesPerBlock / Math.Max(BytesPerNeuron(layer), 1));
        long blocks = (count + blockNeurons - 1) / blockNeurons;
        long bytesRead = 0;
        var plans = LayerPlan.TryCreate(layer);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
        Moments[]? columns = null;
        try
        {
            // Columns (a GPT-2 Conv1D's neurons) are measured tile by tile first; the blocks below then read only biases.
            columns = plans is null ? null : ColumnScan.TryMeasure(plans, count, parallel);
            Parallel.For(0, blocks, parallel, () => new PartReader(), (b, _, reader) =>
            {
                MeasureBlock(b, reader);
                return reader;
            }, reader => reader.Dispose());
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Each worker may fail on the same bad file; the first says it, as itself (the error contract sees a
            // CheckpointException, not the thread pool's wrapper).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        ReleaseTensors(layer);
        return new Measured(layer, neurons, bytesRead);

        // Block b: its contiguous slices loaded with as few reads as possible, then each neuron measured from them.
        void MeasureBlock(long b, PartReader reader)
        {
            long first = b * blockNeurons, end = Math.Min(count, first + blockNeurons);
            var blockParts = new PartPlan[end - first][];
            long bytes = 0;
            reader.Block.Clear();
            for (long j = first; j < end; j++)
            {
                var parts = blockParts[j - first] = plans ?? [.. layer.Neuron(j).Parts.Select(PartPlan.Of)];
                long at = plans is null ? 0 : j;
                foreach (var part in parts)
                {
                    bytes += part.ByteCount;
                    if (columns is null || part.Use != PartUse.Weight) reader.Block.Want(part, at);
                }
            }
            reader.Block.Load();
            for (long j = first; j < end; j++)
                neurons[j] = Measure(layer, j, blockParts[j - first], plans is null ? 0 : j, reader, columns?[j]);
            Interlocked.Add(ref bytesRead, bytes);
            options.Progress?.Invoke(bytes);
        }
    }

    /// <summary>Flags the duplicates and outliers of a measured layer: serial work, which can overlap the next layer's measuring.</summary>
    internal static LayerStats Finish(Measured measured, StatsOptions options)
    {
        var neurons = measured.Neurons;
        var duplicates = DuplicateFinder.Find(measured.Layer, neurons);
        var (median, sigma) = OutlierRule.Fit(neurons.Where(n => n.Weights > 0).Select(n => n.L2));
        for (long j = 0; j < neurons.Length; j++)
            neurons[j] = neurons[j] with
            {
                DuplicateOf = duplicates[j],
                Outlier = neurons[j].Weights > 0 && OutlierRule.IsOutlier(neurons[j].L2, median, sigma, options.OutlierK),
            };
        return new LayerStats(measured.Layer, neurons, median, sigma, options.OutlierK, measured.BytesRead);
    }

    // Neuron index's statistics from its parts: plans walked at neuron "at" (the index, or 0 for a one-neuron plan);
    // its weights' statistics are given when they were measured as columns. A gate's biases add up where the layer says so,
    // from −0, the sum that keeps a lone bias as it is stored (0 + −0 is +0, so a bias of −0 would print as 0).
    private static NeuronStats Measure(Layer layer, long index, PartPlan[] parts, long at, PartReader reader, Moments? weights)
    {
        var moments = weights ?? Moments.Empty;
        double? bias = null;
        List<GateBias>? gates = null;
        foreach (var part in parts)
        {
            switch (part.Use)
            {
                case PartUse.Weight when weights is null:
                    reader.Add(part, at, ref moments);
                    break;
                case PartUse.Bias when part.Gate is null:
                    bias = (bias ?? -0.0) + reader.Sum(part, at);
                    break;
                case PartUse.Bias:
                    gates ??= [];
                    int gate = gates.FindIndex(g => g.Gate == part.Gate);
                    if (gate < 0)
                    {
                        gates.Add(new GateBias(part.Gate, layer.WhyBiasesDoNotSum(part.Gate) is null ? -0.0 : null));
                        gate = gates.Count - 1;
                    }
                    if (gates[gate].Bias is { } sum) gates[gate] = gates[gate] with { Bias = sum + reader.Sum(part, at) };
                    break;
            }
        }
        // No incoming weights (a Linear(0, n), a BatchNorm without affine): the norms of the empty vector are 0, as
        // torch.linalg.vector_norm says; its mean, std, min and max have no value.
        bool none = moments.Count == 0;
        return new NeuronStats
        {
            Index = index,
            Weights = moments.Count,
            L1 = moments.SumOfMagnitudes,
            L2 = moments.L2,
            Mean = none ? double.NaN : moments.Sum / moments.Count,
            Std = none ? double.NaN : moments.Std,
            Min = none ? double.NaN : moments.Min,
            Max = none ? double.NaN : moments.Max,
            Zeros = moments.Zeros,
            Bias = bias,
            GateBiases = gates,
            Dead = !none && moments.Zeros == moments.Count,
        };
    }

    /// <summary>The layer is done: drops all its tensors' pages, including the partial pages at block edges.</summary>
    internal static void ReleaseTensors(Layer layer)
    {
        foreach (var tensor in layer.Tensors)
        {
            var info = tensor.Tensor;
            if (info.ElementCount == 0) continue;
            long last = info.StorageOffset;
            for (int d = 0; d < info.Shape.Count; d++) last += (info.Shape[d] - 1) * info.Strides[d];
            int size = info.DType.Size();
            info.Storage.Source.Release(info.Storage.ByteOffset + info.StorageOffset * size, (last - info.StorageOffset + 1) * size);
        }
    }
}
