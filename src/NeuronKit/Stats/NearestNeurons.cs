using System.Numerics.Tensors;
using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>
/// Each neuron's nearest other neuron of its layer by the cosine similarity of their incoming weights, and whether that
/// cosine reaches <see cref="StatsOptions.Similar"/>: the near-duplicates a bit-for-bit comparison misses (a neuron
/// copied and then trained a little, two filters that learned the same edge). Every pair is compared: the layer's weights
/// are read once into memory, each neuron's scaled to unit length in double and kept as float32, and the N·(N − 1)/2 dot
/// products run in tiles on all cores; the nearest neuron's cosine is then computed again in double from the file's
/// values, so only a near tie (within float32's rounding) could pick another neighbour. Neurons without a direction
/// (dead, a NaN or an infinity among their weights, a single weight, as a norm's scale, whose cosine is only its sign)
/// have none and are no one's nearest; no neuron is its own.
/// </summary>
internal static class NearestNeurons
{
    // Rows per tile: a tile pair of 4096-weight rows is 2 MiB, about what a core's cache holds.
    private const int Tile = 64;

    /// <summary>The multiply-adds comparing every pair of <paramref name="layer"/>'s neurons takes: N·(N − 1)/2 · D weights.</summary>
    public static double Work(Layer layer)
    {
        if (layer.NeuronCount < 2) return 0;
        double n = layer.NeuronCount;
        return n * (n - 1) / 2 * layer.Neuron(0).Parts.Where(p => p.Role.Use == PartUse.Weight).Sum(p => p.View.ElementCount);
    }

    /// <summary><paramref name="stats"/> with each neuron's nearest neighbour, when <see cref="StatsOptions.Similar"/> asks for them.</summary>
    public static LayerStats Apply(LayerStats stats, StatsOptions options)
    {
        if (options.Similar is not { } threshold) return stats;
        var layer = stats.Layer;
        // Only neurons with a direction take part, and a cosine compares vectors of one length: the layer's usual one.
        var counts = stats.Neurons.Where(Comparable).GroupBy(n => n.Weights).OrderByDescending(g => g.Count()).FirstOrDefault();
        int[] members = counts is null ? [] : [.. counts.Select(n => checked((int)n.Index))];
        var nearest = new (long? Neuron, double? Cosine)[stats.Neurons.Count];
        if (members.Length >= 2)
        {
            try
            {
                int length = checked((int)counts!.Key);
                var rows = UnitRows(layer, members, length, options);
                int[] best = Search(rows, length, members.Length, options);
                Parallel.For(0, members.Length, Parallelism(options), i =>
                {
                    // A row no cosine was kept for has no nearest, as a neuron without a direction has none.
                    if (best[i] < 0) return;
                    int j = members[best[i]];
                    nearest[members[i]] = (j, Cosine(layer, members[i], j));
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // The first worker's own error (a CheckpointException), not the thread pool's wrapper.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }
        return stats.WithNearest(nearest, threshold);
    }

    // A neuron has a direction when its weights are finite and not all zero (however small: its L2 norm may underflow to
    // 0, as 1e-200's square does); one weight (a norm's scale) has only a sign.
    private static bool Comparable(NeuronStats n) => n.Weights > 1 && !n.Dead && double.IsFinite(n.Min) && double.IsFinite(n.Max);

    // The members' weights as float32 rows of unit length, one row each, read on all cores, so that a cosine is the dot
    // product of two rows whatever the weights' scale: float32 products of weights of 1e-23 underflow and of 1e20
    // overflow, and a float64 weight of 1e300 is no float32 at all. The norm is taken in double after scaling by a power
    // of two, as in Cosine.
    private static float[] UnitRows(Layer layer, int[] members, int length, StatsOptions options)
    {
        var rows = new float[checked((long)members.Length * length)];
        Parallel.For(0, members.Length, Parallelism(options), i =>
        {
            var weights = Weights(layer, members[i]);
            ScaleToOne(weights);
            double inverse = 1 / Math.Sqrt(TensorPrimitives.SumOfSquares<double>(weights));
            var row = rows.AsSpan(i * length, length);
            for (int k = 0; k < weights.Length; k++) row[k] = (float)(weights[k] * inverse);
        });
        return rows;
    }

    // Scales values by the power of two that brings the largest magnitude into [1, 2): exactly, and then their squares
    // neither overflow (1e300²) nor underflow (1e-200²) a double, and the largest's is never lost.
    private static void ScaleToOne(double[] values)
    {
        int exponent = Math.ILogB(Math.Abs(TensorPrimitives.MaxMagnitude<double>(values)));
        double factor = Math.ScaleB(1.0, -exponent);
        if (double.IsFinite(factor)) TensorPrimitives.Multiply(values, factor, values);
        // A largest magnitude below 2^-1023 (a subnormal) has no power of two a double holds to scale it by.
        else for (int k = 0; k < values.Length; k++) values[k] = Math.ScaleB(values[k], -exponent);
    }

    // For each of count unit rows, the index of the other row of largest cosine with it (the lowest such index on a tie),
    // or -1 when no cosine with it was a number (a row is never compared with itself): tile pairs on all cores, each
    // worker keeping its own best and the bests merged at the end.
    private static int[] Search(float[] rows, int length, int count, StatsOptions options)
    {
        int tiles = (count + Tile - 1) / Tile;
        var pairs = new List<(int A, int B)>(tiles * (tiles + 1) / 2);
        for (int a = 0; a < tiles; a++)
            for (int b = a; b < tiles; b++) pairs.Add((a, b));
        var bestCosine = Enumerable.Repeat(double.NegativeInfinity, count).ToArray();
        var best = Enumerable.Repeat(-1, count).ToArray();
        object merge = new();
        Parallel.ForEach(pairs, Parallelism(options),
            () => (Cosine: Enumerable.Repeat(double.NegativeInfinity, count).ToArray(), Index: Enumerable.Repeat(-1, count).ToArray()),
            (pair, _, local) =>
            {
                int aEnd = Math.Min(count, (pair.A + 1) * Tile), bEnd = Math.Min(count, (pair.B + 1) * Tile);
                for (int i = pair.A * Tile; i < aEnd; i++)
                {
                    var row = rows.AsSpan(i * length, length);
                    for (int j = Math.Max(i + 1, pair.B * Tile); j < bEnd; j++)
                    {
                        double cosine = TensorPrimitives.Dot(row, rows.AsSpan(j * length, length));
                        Keep(local.Cosine, local.Index, i, j, cosine);
                        Keep(local.Cosine, local.Index, j, i, cosine);
                    }
                }
                return local;
            },
            local =>
            {
                lock (merge)
                    for (int i = 0; i < count; i++)
                        if (local.Cosine[i] > double.NegativeInfinity) Keep(bestCosine, best, i, local.Index[i], local.Cosine[i]);
            });
        return best;
    }

    // Row i's best so far becomes j when j is nearer, or as near and lower (a NaN is never nearer).
    private static void Keep(double[] cosines, int[] indices, int i, int j, double cosine)
    {
        if (cosine > cosines[i] || (cosine == cosines[i] && j < indices[i])) (cosines[i], indices[i]) = (cosine, j);
    }

    // The cosine of neurons a and b in double from the file's values: their weights' dot product over their norms' product,
    // each scaled by a power of two first (which changes no cosine) so that no square overflows or underflows; exactly 1
    // for equal weights and never past ±1, where rounding alone would put it (0.9999999999999998 for a duplicate of
    // [1, 2], missing a threshold of 1; 1.0000000000000002 for [1, 1, 1] against [2, 2, 2]).
    private static double Cosine(Layer layer, int a, int b)
    {
        var left = Weights(layer, a);
        var right = Weights(layer, b);
        if (left.AsSpan().SequenceEqual(right)) return 1;
        ScaleToOne(left);
        ScaleToOne(right);
        double dot = 0, squaresLeft = 0, squaresRight = 0;
        for (int k = 0; k < left.Length; k++)
        {
            dot += left[k] * right[k];
            squaresLeft += left[k] * left[k];
            squaresRight += right[k] * right[k];
        }
        return Math.Clamp(dot / (Math.Sqrt(squaresLeft) * Math.Sqrt(squaresRight)), -1, 1);
    }

    // Neuron j's weight parts in double, one after the other: copied whole, as a value at a time costs more than every
    // pair's dot product of a short row.
    private static double[] Weights(Layer layer, int j)
    {
        var parts = layer.Neuron(j).Parts.Where(p => p.Role.Use == PartUse.Weight).Select(p => p.ToDoubles()).ToList();
        if (parts is [var only]) return only;
        var weights = new double[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(weights, at);
            at += part.Length;
        }
        return weights;
    }

    private static ParallelOptions Parallelism(StatsOptions options) =>
        new() { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
}
