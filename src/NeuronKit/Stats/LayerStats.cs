using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>Statistics of every neuron of a layer, and the layer's summary.</summary>
public sealed partial class LayerStats
{
    private LayerStats(Layer layer, NeuronStats[] neurons, double normMedian, double normSigma, double outlierK, long bytesRead,
        double? similarCosine = null)
    {
        Layer = layer;
        Neurons = neurons;
        NormMedian = normMedian;
        NormSigma = normSigma;
        OutlierK = outlierK;
        BytesRead = bytesRead;
        SimilarCosine = similarCosine;
        bool measured = false;
        foreach (var n in neurons)
        {
            Weights += n.Weights;
            Zeros += n.Zeros;
            if (n.Dead) DeadCount++;
            if (n.Duplicate) DuplicateCount++;
            if (n.Outlier) OutlierCount++;
            if (n.Unused) UnusedCount++;
            if (n.Similar) SimilarCount++;
            if (n.Weights == 0 || double.IsNaN(Min) && measured) continue; // a NaN, once seen, stays the layer's min and max
            Min = !measured || n.Min < Min || double.IsNaN(n.Min) ? n.Min : Min;
            Max = !measured || n.Max > Max || double.IsNaN(n.Max) ? n.Max : Max;
            measured = true;
        }
    }

    /// <summary>The layer.</summary>
    public Layer Layer { get; }

    /// <summary>Every neuron, by index.</summary>
    public IReadOnlyList<NeuronStats> Neurons { get; }

    /// <summary>The incoming weights of all neurons together.</summary>
    public long Weights { get; }

    /// <summary>How many of them are exactly zero.</summary>
    public long Zeros { get; }

    /// <summary>The smallest weight of the layer (NaN when there is none, or a NaN among them).</summary>
    public double Min { get; } = double.NaN;

    /// <summary>The largest weight of the layer.</summary>
    public double Max { get; } = double.NaN;

    /// <summary>The median of the neurons' L2 norms.</summary>
    public double NormMedian { get; }

    /// <summary>The robust deviation σ̂ of the norms (1.4826·MAD, see <see cref="OutlierK"/>).</summary>
    public double NormSigma { get; }

    /// <summary>The outlier cut-off in σ̂.</summary>
    public double OutlierK { get; }

    /// <summary>Neurons whose weights are all zero.</summary>
    public int DeadCount { get; }

    /// <summary>Neurons whose weights equal another neuron's.</summary>
    public int DuplicateCount { get; }

    /// <summary>Neurons whose norm is an outlier.</summary>
    public int OutlierCount { get; }

    /// <summary>How many neurons have outgoing weights that are all zero (<see cref="NeuronStats.Unused"/>).</summary>
    public int UnusedCount { get; }

    /// <summary>How many neurons have a nearest neighbour at <see cref="SimilarCosine"/> or above (<see cref="NeuronStats.Similar"/>).</summary>
    public int SimilarCount { get; }

    /// <summary>The cosine at or above which a neuron is <see cref="NeuronStats.Similar"/>; null when nearest neighbours were not asked for.</summary>
    public double? SimilarCosine { get; }

    /// <summary>These statistics with each neuron's outgoing norm and unused flag set from <paramref name="outgoing"/> (per neuron: its L2, and whether all are zero).</summary>
    internal LayerStats WithOutgoing(IReadOnlyList<(double? L2, bool AllZero)> outgoing) =>
        new(Layer, [.. Neurons.Select((n, j) => n with { OutgoingL2 = outgoing[j].L2, Unused = outgoing[j].AllZero })],
            NormMedian, NormSigma, OutlierK, BytesRead, SimilarCosine);

    /// <summary>These statistics with each neuron's nearest neighbour and cosine from <paramref name="nearest"/>, similar at <paramref name="threshold"/> or above.</summary>
    internal LayerStats WithNearest(IReadOnlyList<(long? Neuron, double? Cosine)> nearest, double threshold) =>
        new(Layer, [.. Neurons.Select((n, j) => n with
            {
                Nearest = nearest[j].Neuron,
                NearestCosine = nearest[j].Cosine,
                Similar = nearest[j].Cosine >= threshold,
            })],
            NormMedian, NormSigma, OutlierK, BytesRead, threshold);

    /// <summary>Bytes of weights and biases read.</summary>
    public long BytesRead { get; }

    /// <summary>The fraction of the layer's weights that are exactly zero.</summary>
    public double ZeroFraction => Weights == 0 ? double.NaN : (double)Zeros / Weights;
}
