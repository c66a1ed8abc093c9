using NeuronKit.Layers;
using NeuronKit.Layers.Kinds;
using NeuronKit.Neurons;
using NeuronKit.Stats;
using NeuronKit.Tensors;

namespace NeuronKit.Diff;

public sealed partial class LayerDiff
{
    // Neurons per parallel block: about this many bytes of both files together, 512 KiB of each. Larger than stats'
    // blocks: each block costs a read per run per file, and a read's system call (about 3 µs besides its copy on a
    // virtual machine) costs as much as the kernel's pass over a pair of 4096-weight rows.
    private const long BytesPerBlock = 1 << 20;

    /// <summary>
    /// As <see cref="FindMismatch(Layer, Layer)"/> for a pair, whose layers may also differ in the rows a converter dropped
    /// (<see cref="LayerPair.Kept"/>): then only the width must agree.
    /// </summary>
    public static ShapeMismatch? FindMismatch(LayerPair pair) =>
        pair.Kept is { } kept && pair.A.NeuronCount == pair.B.NeuronCount
            && pair.A.Tensors is [{ Tensor.Shape: [var rowsA, _] }] && pair.B.Tensors is [{ Tensor.Shape: [var rowsB, _] }]
            && Math.Min(rowsA, rowsB) == kept.Rows
            ? null
            : FindMismatch(pair.A, pair.B);

    /// <summary>
    /// How <paramref name="b"/> differs from <paramref name="a"/> so that they cannot be compared neuron by neuron (its
    /// kind; else the first tensor that differs in shape or that one file has not; else its neuron count), or null when
    /// they can be.
    /// </summary>
    public static ShapeMismatch? FindMismatch(Layer a, Layer b)
    {
        if (a.Gates is not null && b.Gates is not null && a.Layout != b.Layout) return RecurrentMismatch(a, b);
        // Tensors pair by role: formats store a layer's tensors in different orders (safetensors sorts them by name). Only
        // those of its neurons: what a layer keeps beside them (an FP8 module's input_scale) is no part of the comparison.
        var (tensorsA, tensorsB) = (NeuronTensors(a), NeuronTensors(b));
        // A kind one file only assumed (a weight-only norm: LayerNorm*) gives way to the other's when the neurons match.
        bool sameKind = a.Kind == b.Kind || ((a.Assumed || b.Assumed) && tensorsA.All(t => SameNeuronParts(a, b, t.Role, anyLayout: true)));
        if (!sameKind) return WholeLayerMismatch(a, b);
        bool channelsMoved = MovedAxes(a, b) is not null;
        foreach (var ta in tensorsA)
        {
            var tb = tensorsB.FirstOrDefault(t => t.Role == ta.Role);
            if (tb is null || !(ta.Tensor.Shape.SequenceEqual(tb.Tensor.Shape) || SameNeuronParts(a, b, ta.Role) || channelsMoved))
                return new ShapeMismatch(a.Name, ta.Role, ta.Tensor.Shape, tb?.Tensor.Shape, a.Kind, b.Kind);
        }
        if (tensorsB.FirstOrDefault(tb => tensorsA.All(ta => ta.Role != tb.Role)) is { } extra)
            return new ShapeMismatch(a.Name, extra.Role, null, extra.Tensor.Shape, a.Kind, b.Kind);
        return a.NeuronCount == b.NeuronCount ? null : WholeLayerMismatch(a, b);
    }

    // Layers that differ as a whole, in kind or neuron count: each file's kind, neuron count and weight's shape (its first
    // weight part's tensor; its first tensor where it has no neurons).
    private static ShapeMismatch WholeLayerMismatch(Layer a, Layer b)
    {
        static LayerTensor Weight(Layer layer)
        {
            string? name = layer.NeuronCount == 0 ? null : layer.Neuron(0).Parts.FirstOrDefault(p => p.Role.Use == PartUse.Weight)?.Tensor;
            return layer.Tensors.FirstOrDefault(t => t.Tensor.Name == name) ?? layer.Tensors[0];
        }
        var (weightA, weightB) = (Weight(a), Weight(b));
        return new ShapeMismatch(a.Name, weightA.Role, weightA.Tensor.Shape, weightB.Tensor.Shape, a.Kind, b.Kind)
        {
            Neurons = (a.NeuronCount, b.NeuronCount),
        };
    }

    // The layer's tensors its first and last neurons read (every one, when it has no neurons).
    private static List<LayerTensor> NeuronTensors(Layer layer)
    {
        if (layer.NeuronCount == 0) return [.. layer.Tensors];
        var read = layer.Neuron(0).Parts.Concat(layer.Neuron(layer.NeuronCount - 1).Parts).Select(p => p.Tensor).ToHashSet(StringComparer.Ordinal);
        return [.. layer.Tensors.Where(t => read.Contains(t.Tensor.Name))];
    }

    // Recurrent layers stored otherwise (ONNX's W [D, 4H, in] against PyTorch's weight_ih [4H, in], the gates in
    // another order) compare unit by unit when every part of a unit has its counterpart in the other, of the same shape.
    private static ShapeMismatch? RecurrentMismatch(Layer a, Layer b)
    {
        if (a.Kind != b.Kind || a.NeuronCount != b.NeuronCount || a.NeuronCount == 0) return WholeLayerMismatch(a, b);
        var (unitA, unitB) = (a.Neuron(0), b.Neuron(0));
        var taken = new bool[unitB.Parts.Count];
        foreach (var part in unitA.Parts)
        {
            int m = Partner(part, unitA, unitB, taken);
            if (m < 0 || !part.Shape.SequenceEqual(unitB.Parts[m].Shape))
                return new ShapeMismatch(a.Name, PartName(part), part.Shape, m < 0 ? null : unitB.Parts[m].Shape, a.Kind, b.Kind);
            taken[m] = true;
        }
        int extra = Array.IndexOf(taken, false);
        return extra < 0 ? null : new ShapeMismatch(a.Name, PartName(unitB.Parts[extra]), null, unitB.Parts[extra].Shape, a.Kind, b.Kind);
    }

    private static string PartName(NeuronPart part) => part.Gate is { } gate ? $"{part.Role.Name} ({gate.Name})" : part.Role.Name;

    // A tensor stored in another layout (an ONNX MatMul's W [in, out] against a Linear's weight [out, in]) still compares
    // neuron by neuron when both layers have as many neurons and the role's slices of a neuron have the same shapes.
    private static bool SameNeuronParts(Layer a, Layer b, string role, bool anyLayout = false)
    {
        if ((a.Layout == b.Layout && !anyLayout) || a.NeuronCount != b.NeuronCount || a.NeuronCount == 0) return false;
        // Dimensions of size 1 aside, which change no value's place: a Keras depthwise kernel's slice [kh, kw] is PyTorch's [1, kh, kw].
        static List<long[]> Shapes(Layer layer, string role) =>
            [.. layer.Neuron(0).Parts.Where(p => p.Role.Name == role || p.Role.Meaning.Name == role).Select(p => p.Shape.Where(d => d != 1).ToArray())];
        var (shapesA, shapesB) = (Shapes(a, role), Shapes(b, role));
        return shapesA.Count == shapesB.Count && shapesA.Zip(shapesB).All(s => s.First.SequenceEqual(s.Second));
    }

    /// <summary>
    /// The order to read B's weight slices in so that they run as A's do, when one layer is a convolution that keeps its
    /// channels last (Keras', Flax's: neuron j's kernel[…, j] is [k…, in/groups], a transposed one's kernel[…, j, :]
    /// [k…, in]) and the other one that keeps them first (PyTorch's, ONNX's: weight[j] is [in/groups, k…], a transposed
    /// one's weight[:, j] [in, k…]), of the same kind and neuron slices; else null.
    /// </summary>
    public static AxisOrder? MovedAxes(Layer a, Layer b)
    {
        static bool Last(Layer layer) => layer.Implementation is ChannelsLastConv or ChannelsLastConvTranspose;
        static int Family(Layer layer) => layer.Implementation switch
        {
            Conv or ChannelsLastConv => 1,
            ConvTranspose or ChannelsLastConvTranspose => 2,
            _ => 0,
        };
        bool lastA = Last(a), lastB = Last(b);
        if (lastA == lastB || a.Kind != b.Kind || a.NeuronCount != b.NeuronCount || a.NeuronCount == 0 || Family(a) == 0 || Family(a) != Family(b))
            return null;
        if (Weight(a) is not { Count: > 1 } shapeA || Weight(b) is not { } shapeB || shapeA.Count != shapeB.Count) return null;
        int rank = shapeB.Count;
        // B's [k…, in] read as [in, k…] (its last axis first), or B's [in, k…] as [k…, in] (its first axis last).
        int[] axes = lastB ? [rank - 1, .. Enumerable.Range(0, rank - 1)] : [.. Enumerable.Range(1, rank - 1), 0];
        string name = lastB ? "B's channels-last kernel read as [in, k…]" : "B's kernel read channels last, as [k…, in]";
        return axes.Select(d => shapeB[d]).SequenceEqual(shapeA) ? new AxisOrder(axes, name) : null;

        static IReadOnlyList<long>? Weight(Layer layer) =>
            layer.Neuron(0).Parts.Where(p => p.Role.Use == PartUse.Weight).ToList() is [var only] ? only.Shape : null;
    }

    /// <summary>
    /// How every neuron of <paramref name="a"/> changed in <paramref name="b"/> (the same layer of another file), both
    /// read in parallel blocks straight from their files as <c>neuron stats</c> reads one; throws
    /// <see cref="RequestException"/> when they cannot be compared (<see cref="FindMismatch(Layer, Layer)"/>: shapes, a missing
    /// tensor, kinds) or a tensor is complex.
    /// </summary>
    public static LayerDiff Compute(Layer a, Layer b, DiffOptions? options = null) => Compute(new LayerPair(a, b), options);

    /// <summary>
    /// As <see cref="Compute(Layer, Layer, DiffOptions?)"/>, A's neuron j compared with B's neuron
    /// <see cref="LayerPair.BIndex"/>(j) when the pair carries a converter's neuron order.
    /// </summary>
    public static LayerDiff Compute(LayerPair pair, DiffOptions? options = null)
    {
        var (a, b) = (pair.A, pair.B);
        if (FindMismatch(pair) is { } mismatch)
            throw new RequestException($"layer '{a.Name}' " + mismatch switch
            {
                { Neurons: var (na, nb) } when mismatch.AKind != mismatch.BKind || na != nb =>
                    $"differs in {(mismatch.AKind != mismatch.BKind ? "kind" : "neuron count")} between the files: {mismatch.Detail}",
                { Neurons: not null } => $"differs between the files: {mismatch.Detail}",
                { AShape: null } => $"differs between the files: A has no {mismatch.Role} (B's is {ShapeMismatch.Text(mismatch.BShape)})",
                { BShape: null } => $"differs between the files: B has no {mismatch.Role} (A's is {ShapeMismatch.Text(mismatch.AShape)})",
                _ => $"differs in shape between the files: {mismatch.Role} is {ShapeMismatch.Text(mismatch.AShape)} in A and {ShapeMismatch.Text(mismatch.BShape)} in B",
            });
        LayerStats.EnsureMeasurable(a);
        LayerStats.EnsureMeasurable(b);
        options ??= new DiffOptions();
        long count = a.NeuronCount;
        var neurons = new NeuronDiff[count];
        long blockNeurons = Math.Max(1, BytesPerBlock / Math.Max(LayerStats.BytesPerNeuron(a) + LayerStats.BytesPerNeuron(b), 1));
        long blocks = (count + blockNeurons - 1) / blockNeurons;
        long bytesRead = 0;
        int[] partner = count == 0 ? [] : PartPartners(a.Neuron(0), b.Neuron(0));
        var plansA = LayerPlan.TryCreate(a);
        // B's plans in the order of A's parts (plan k is the partner of A's part k), put so once for the whole layer, and
        // its weights read in A's axis order where the two keep a convolution's channels at opposite ends.
        var order = MovedAxes(a, b);
        var axes = order?.Axes;
        PartPlan[]? plansB = LayerPlan.TryCreate(b) is { } own ? [.. partner.Select(k => InOrder(own[k], axes))] : null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
        PartDifference[]? columns = null;
        try
        {
            // Columns (an embedding's neurons, a Conv1D's) are compared tile by tile first; the blocks below then read only biases.
            double shift = pair.BShift?.Amount ?? 0;
            columns = shift == 0 ? ColumnDiff.TryCompare(plansA, plansB, count, pair.BIndex, parallel, pair.Kept?.Rows) : null;
            if (columns is null && pair.Kept is { } kept)
                throw new RequestException($"layer '{a.Name}' can be compared only over {kept.Name}, and its parts cannot be read so");
            Parallel.For(0, blocks, parallel, () => (A: new PartReader(), B: new PartReader()), (block, _, readers) =>
            {
                long first = block * blockNeurons, end = Math.Min(count, first + blockNeurons);
                long bytes = 0;
                bool weights = columns is null;
                var partsA = Want(a, plansA, first, end, readers.A, ref bytes, weights);
                var partsB = Want(b, plansB, first, end, readers.B, ref bytes, weights, pair.BIndex, partner, axes);
                for (long j = first; j < end; j++)
                    neurons[j] = Compare(j, partsA[j - first], plansA is null ? 0 : j, readers.A, partsB[j - first], plansB is null ? 0 : pair.BIndex(j), readers.B,
                        columns?[j], shift);
                Interlocked.Add(ref bytesRead, bytes);
                options.Progress?.Invoke(bytes);
                return readers;
            }, readers =>
            {
                readers.A.Dispose();
                readers.B.Dispose();
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Every worker may fail on the same bad file; the first says it, as itself (a CheckpointException).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        LayerStats.ReleaseTensors(a);
        LayerStats.ReleaseTensors(b);
        return new LayerDiff(a, b, neurons, bytesRead, pair.BOrder, pair.BShift, pair.Kept, order);
    }

    // A weight part's plan read in the axis order given, when one is; any other part's as it is.
    private static PartPlan InOrder(PartPlan plan, int[]? axes) => axes is null || plan.Use != PartUse.Weight ? plan : plan.Permuted(axes);

    // The parts of neurons [first, end) of one file's layer, their bytes asked of the reader's block and loaded.
    // With index, slot j holds this file's neuron index(j), the one the other file's neuron j became; with partner, a
    // layer walked neuron by neuron has its parts put in the order of the other file's (part k is the partner of the
    // other's part k; plans come in that order already). Without weights, only the other parts' bytes are loaded (the
    // weights were compared by ColumnDiff), though all are counted as read.
    private static PartPlan[][] Want(Layer layer, PartPlan[]? plans, long first, long end, PartReader reader, ref long bytes,
        bool weights, Func<long, long>? index = null, int[]? partner = null, int[]? axes = null)
    {
        var parts = new PartPlan[end - first][];
        reader.Block.Clear();
        for (long j = first; j < end; j++)
        {
            long stored = index?.Invoke(j) ?? j;
            if (plans is null)
            {
                var own = layer.Neuron(stored).Parts.Select(PartPlan.Of).ToArray();
                parts[j - first] = partner is null ? own : [.. partner.Select(k => InOrder(own[k], axes))];
            }
            else
            {
                parts[j - first] = plans;
            }
            foreach (var part in parts[j - first])
            {
                bytes += part.ByteCount;
                if (weights || part.Use != PartUse.Weight) reader.Block.Want(part, plans is null ? 0 : stored);
            }
        }
        reader.Block.Load();
        return parts;
    }

    /// <summary>
    /// The parts of neuron <paramref name="a"/> (of file A) each with its partner among <paramref name="b"/>'s (the same
    /// neuron of file B): the part of the same role and gate, wherever B's format put it.
    /// </summary>
    public static IReadOnlyList<(NeuronPart A, NeuronPart B)> PairParts(Neuron a, Neuron b) =>
        [.. PartPartners(a, b).Select((m, k) => (a.Parts[k], b.Parts[m]))];

    // For each part of a neuron in A, the index of its partner among the neuron's parts in B (the n-th such, for roles a
    // neuron has several parts of).
    private static int[] PartPartners(Neuron a, Neuron b)
    {
        var taken = new bool[b.Parts.Count];
        var partner = new int[a.Parts.Count];
        for (int k = 0; k < a.Parts.Count; k++)
        {
            var part = a.Parts[k];
            int match = Partner(part, a, b, taken);
            if (match < 0) throw new RequestException($"part {part.Tensor}{part.Index} ({part.Role}) has no counterpart in B's layer");
            taken[match] = true;
            partner[k] = match;
        }
        return partner;
    }

    // The first part of B's unit not yet taken that is the same parameter as part of A's: the role that means the same
    // (ONNX's W is PyTorch's weight_ih), of the same gate, or of the candidate gate whose recurrent bias the reset gate
    // scales in both (PyTorch GRU's n, ONNX GRU's h when linear_before_reset = 1); -1 when there is none.
    private static int Partner(NeuronPart part, Neuron a, Neuron b, bool[] taken)
    {
        var candidateA = a.Layer.Gates?.Unsummed?.Gate;
        var candidateB = b.Layer.Gates?.Unsummed?.Gate;
        for (int m = 0; m < b.Parts.Count; m++)
        {
            var other = b.Parts[m];
            bool sameGate = other.Gate == part.Gate || (part.Gate is not null && part.Gate == candidateA && other.Gate == candidateB);
            if (!taken[m] && other.Role.Meaning == part.Role.Meaning && sameGate) return m;
        }
        return -1;
    }

    // Neuron index in both files: its weight parts compared value by value (or their sums given, from ColumnDiff), B's
    // less the converter's shift, its ungated biases summed on each side.
    private static NeuronDiff Compare(long index, PartPlan[] partsA, long atA, PartReader readerA,
        PartPlan[] partsB, long atB, PartReader readerB, PartDifference? weightSums, double shift)
    {
        var sums = weightSums ?? PartDifference.Empty;
        double? biasA = null, biasB = null;
        bool gated = false, gateBiasChanged = false;
        for (int k = 0; k < partsA.Length; k++)
        {
            var (partA, partB) = (partsA[k], partsB[k]);
            switch (partA.Use)
            {
                case PartUse.Weight when weightSums is null:
                    // float32 (and half-precision widened) side by side in one pass where both allow it; anything else as doubles.
                    if (shift == 0 && readerA.TryFloats(partA, atA, out var floatsA) && readerB.TryFloats(partB, atB, out var floatsB))
                        DiffKernel.Add(floatsA, floatsB, ref sums);
                    else
                        DiffKernel.Add(readerA.Values(partA, atA), readerB.Values(partB, atB, shift), ref sums);
                    break;
                case PartUse.Bias when partA.Gate is null:
                    biasA = (biasA ?? 0) + readerA.Sum(partA, atA);
                    biasB = (biasB ?? 0) + readerB.Sum(partB, atB);
                    break;
                case PartUse.Bias:
                    // A gate's bias (an LSTM's four) has no one delta to give, but a neuron whose only change it is has changed.
                    gated = true;
                    gateBiasChanged |= Differs(readerA.Sum(partA, atA), readerB.Sum(partB, atB));
                    break;
            }
        }
        long weights = sums.Count;
        double squaredA = sums.SquaresA, squaredB = sums.SquaresB, dot = sums.Dot, squaredDelta = sums.SquaresDelta, maxAbs = sums.MaxAbs;
        bool allZeroA = sums.AllZeroA, allZeroB = sums.AllZeroB;
        double l2A = Math.Sqrt(squaredA), l2B = Math.Sqrt(squaredB);
        bool deadA = weights > 0 && allZeroA, deadB = weights > 0 && allZeroB;
        bool oneBias = !gated && biasA is not null;
        var flags = DiffFlags.None;
        if (deadB && !deadA) flags |= DiffFlags.BecameDead;
        if (deadA && !deadB) flags |= DiffFlags.Revived;
        if (oneBias && biasA * biasB < 0) flags |= DiffFlags.BiasSignChanged;
        return new NeuronDiff
        {
            Index = index,
            // No weights (a Linear(0, n)): the norms of the empty vector are 0, and the relative change 0/0 is NaN.
            L2Delta = Math.Sqrt(squaredDelta),
            L2A = l2A,
            L2B = l2B,
            // Rounding can put an unchanged neuron's cosine a step past 1 (1.0000000000000002); a cosine is never outside [-1, 1].
            Cosine = Math.Clamp(dot / (l2A * l2B), -1, 1),
            MaxAbs = weights == 0 ? double.NaN : maxAbs,
            BiasDelta = oneBias ? biasB - biasA : null,
            Flags = flags,
            WeightsChanged = sums.Differs,
            BiasChanged = gateBiasChanged || biasA is not null && Differs(biasA.Value, biasB!.Value),
        };
    }

    // Two biases differ unless equal, or both NaN (as np.array_equal(a, b, equal_nan=True) says).
    private static bool Differs(double a, double b) => !(a == b || double.IsNaN(a) && double.IsNaN(b));
}
