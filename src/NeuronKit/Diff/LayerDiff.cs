using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>How every neuron of a layer changed from file A to file B, and the layer's summary.</summary>
public sealed partial class LayerDiff
{
    /// <summary>How many neurons <see cref="MostChanged"/> holds at most.</summary>
    public const int MostChangedCount = 5;

    private LayerDiff(Layer a, Layer b, NeuronDiff[] neurons, long bytesRead, NeuronOrder? bOrder, ValueShift? bShift, KeptRows? kept, AxisOrder? bAxes)
    {
        BAxes = bAxes;
        A = a;
        B = b;
        BOrder = bOrder;
        BShift = bShift;
        Kept = kept;
        Neurons = neurons;
        BytesRead = bytesRead;
        double squaredDelta = 0, squaredA = 0, cosines = 0;
        bool measured = false;
        foreach (var n in neurons)
        {
            squaredDelta += n.L2Delta * n.L2Delta;
            squaredA += n.L2A * n.L2A;
            if (n.Changed) Changed++;
            // NaN is also 'none yet': a NaN, once measured, stays the layer's largest change, as numpy's max keeps it.
            MaxAbs = !measured ? n.MaxAbs : double.IsNaN(MaxAbs) || double.IsNaN(n.MaxAbs) ? double.NaN : Math.Max(MaxAbs, n.MaxAbs);
            measured = true;
            if (double.IsFinite(n.Cosine))
            {
                cosines += n.Cosine;
                CosineCount++;
            }
            if (n.Flags.HasFlag(DiffFlags.BecameDead)) BecameDead++;
            if (n.Flags.HasFlag(DiffFlags.Revived)) Revived++;
            if (n.Flags.HasFlag(DiffFlags.BiasSignChanged)) BiasSignChanged++;
        }
        L2Delta = Math.Sqrt(squaredDelta);
        Relative = L2Delta / Math.Sqrt(squaredA);
        MeanCosine = CosineCount == 0 ? double.NaN : cosines / CosineCount;
        MostChanged = Most(neurons);
    }

    // The neurons whose weights changed, most relative to their own size first: a revived neuron (infinitely so) before
    // all, one whose change is NaN (a NaN among its weights) after every number, as --sort relative puts NaN last; ties
    // by index. One pass keeping the leaders in order, rather than a sort of every neuron of the layer.
    private static long[] Most(NeuronDiff[] neurons)
    {
        static double Key(in NeuronDiff n) => double.IsNaN(n.Relative) ? -1 : n.Relative;
        var leaders = new List<NeuronDiff>(MostChangedCount + 1);
        // Neurons come by index, so a later one passes a leader only when it changed strictly more.
        foreach (var n in neurons)
        {
            if (!n.WeightsChanged) continue;
            int at = leaders.Count;
            while (at > 0 && Key(n) > Key(leaders[at - 1])) at--;
            if (at == MostChangedCount) continue;
            leaders.Insert(at, n);
            if (leaders.Count > MostChangedCount) leaders.RemoveAt(MostChangedCount);
        }
        return [.. leaders.Select(n => n.Index)];
    }

    /// <summary>This layer's diff with only neuron <paramref name="index"/> (0 ≤ index &lt; count): its summary is that neuron's.</summary>
    public LayerDiff Only(long index) => new(A, B, [Neurons[checked((int)index)]], BytesRead, BOrder, BShift, Kept, BAxes);

    /// <summary>The layer in A.</summary>
    public Layer A { get; }

    /// <summary>The same layer in B.</summary>
    public Layer B { get; }

    /// <summary>The layer's kind: A's, or B's where only A's was assumed (a weight-only norm A's names do not settle).</summary>
    public string Kind => A.Assumed && !B.Assumed ? B.Kind : A.Kind;

    /// <summary>When B's converter reordered the neurons, which of B's each of A's was compared with; null when neuron j is neuron j.</summary>
    public NeuronOrder? BOrder { get; }

    /// <summary>When a converter added a constant to the weights of one file, what B's weights were compared less; null otherwise.</summary>
    public ValueShift? BShift { get; }

    /// <summary>When a converter dropped trailing rows of the weight in one file, the rows the neurons were compared over; null otherwise.</summary>
    public KeptRows? Kept { get; }

    /// <summary>
    /// When one file keeps a convolution's channels last and the other first, the order B's weight slices were read in
    /// to run as A's (<see cref="MovedAxes"/>); null otherwise.
    /// </summary>
    public AxisOrder? BAxes { get; }

    /// <summary>Every neuron, by index (A's).</summary>
    public IReadOnlyList<NeuronDiff> Neurons { get; }

    /// <summary>‖W_b − W_a‖ over all the layer's incoming weights.</summary>
    public double L2Delta { get; }

    /// <summary>‖W_b − W_a‖ / ‖W_a‖ over all the layer's incoming weights.</summary>
    public double Relative { get; }

    /// <summary>The largest |w_b − w_a| of the layer: NaN when any neuron's is (a NaN among its weights), or when there is none.</summary>
    public double MaxAbs { get; } = double.NaN;

    /// <summary>The mean cosine of the neurons whose cosine is defined (NaN when none is).</summary>
    public double MeanCosine { get; }

    /// <summary>How many neurons have a defined cosine.</summary>
    public int CosineCount { get; }

    /// <summary>Neurons whose weights or bias differ at all (<see cref="NeuronDiff.Changed"/>).</summary>
    public int Changed { get; }

    /// <summary>Neurons that became dead.</summary>
    public int BecameDead { get; }

    /// <summary>Neurons that were dead in A and are not in B.</summary>
    public int Revived { get; }

    /// <summary>Neurons whose bias changed sign.</summary>
    public int BiasSignChanged { get; }

    /// <summary>
    /// The indices of the neurons whose weights changed most relative to their norm in A, most first, a NaN change after
    /// every number (at most <see cref="MostChangedCount"/>).
    /// </summary>
    public IReadOnlyList<long> MostChanged { get; }

    /// <summary>Bytes of weights and biases read from both files.</summary>
    public long BytesRead { get; }
}
