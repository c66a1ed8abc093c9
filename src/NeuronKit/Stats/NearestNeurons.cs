using System.Numerics.Tensors;
using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>
/// Each neuron's nearest other neuron of its layer by the cosine similarity of their incoming weights, and whether that
/// cosine reaches <see cref="StatsOptions.Similar"/>: the near-duplicates a bit-for-bit comparison misses (a neuron
/// copied and then trained a little, two filters that learned the same edge). Every pair is compared: the layer's weights
/// are read once into memory as float32 and the N·(N − 1)/2 dot products run in tiles on all cores; the nearest
/// neuron's cosine is then computed again in double from the file's values, so only a near tie (within float32's
/// rounding) could pick another neighbour. Neurons without a direction (dead, a NaN or an infinity among their
/// weights, a single weight, as a norm's scale, whose cosine is only its sign) have none and are no one's nearest.
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
                var rows = Rows(layer, members, length, options);
                var inverse = members.Select(j => 1 / stats.Neurons[j].L2).ToArray();
                int[] best = Search(rows, length, inverse, options);
                Parallel.For(0, members.Length, Parallelism(options), i =>
                {
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

    // A neuron has a direction when its weights are finite and not all zero; one weight (a norm's scale) has only a sign.
    private static bool Comparable(NeuronStats n) => n.Weights > 1 && !n.Dead && double.IsFinite(n.Min) && double.IsFinite(n.Max) && n.L2 > 0;

    // The members' weights as float32, one row each, read on all cores.
    private static float[] Rows(Layer layer, int[] members, int length, StatsOptions options)
    {
        var rows = new float[checked((long)members.Length * length)];
        Parallel.For(0, members.Length, Parallelism(options), i =>
        {
            var row = rows.AsSpan(i * length, length);
            int at = 0;
            foreach (var part in layer.Neuron(members[i]).Parts.Where(p => p.Role.Use == PartUse.Weight))
            {
                var values = part.ToFloats();
                values.CopyTo(row[at..]);
                at += values.Length;
            }
        });
        return rows;
    }

    // For each row, the index of the row of largest cosine with it (the lowest such index on a tie): tile pairs on all
    // cores, each worker keeping its own best and the bests merged at the end.
    private static int[] Search(float[] rows, int length, double[] inverse, StatsOptions options)
    {
        int count = inverse.Length, tiles = (count + Tile - 1) / Tile;
        var pairs = new List<(int A, int B)>(tiles * (tiles + 1) / 2);
        for (int a = 0; a < tiles; a++)
            for (int b = a; b < tiles; b++) pairs.Add((a, b));
        var bestCosine = Enumerable.Repeat(double.NegativeInfinity, count).ToArray();
        var best = new int[count];
        object merge = new();
        Parallel.ForEach(pairs, Parallelism(options), () => (Cosine: Enumerable.Repeat(double.NegativeInfinity, count).ToArray(), Index: new int[count]),
            (pair, _, local) =>
            {
                int aEnd = Math.Min(count, (pair.A + 1) * Tile), bEnd = Math.Min(count, (pair.B + 1) * Tile);
                for (int i = pair.A * Tile; i < aEnd; i++)
                {
                    var row = rows.AsSpan(i * length, length);
                    for (int j = Math.Max(i + 1, pair.B * Tile); j < bEnd; j++)
                    {
                        double cosine = TensorPrimitives.Dot(row, rows.AsSpan(j * length, length)) * inverse[i] * inverse[j];
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

    // Row i's best so far becomes j when j is nearer, or as near and lower.
    private static void Keep(double[] cosines, int[] indices, int i, int j, double cosine)
    {
        if (cosine > cosines[i] || (cosine == cosines[i] && j < indices[i])) (cosines[i], indices[i]) = (cosine, j);
    }

    // The cosine of neurons a and b in double from the file's values: their weights' dot product over their norms' product,
    // exactly 1 for equal weights and never past ±1, where rounding alone would put it (0.9999999999999998 for a
    // duplicate of [1, 2], missing a threshold of 1; 1.0000000000000002 for [1, 1, 1] against [2, 2, 2]).
    private static double Cosine(Layer layer, int a, int b)
    {
        var left = Weights(layer, a);
        var right = Weights(layer, b);
        if (left.AsSpan().SequenceEqual(right)) return 1;
        double dot = 0, squaresLeft = 0, squaresRight = 0;
        for (int k = 0; k < left.Length; k++)
        {
            dot += left[k] * right[k];
            squaresLeft += left[k] * left[k];
            squaresRight += right[k] * right[k];
        }
        return Math.Clamp(dot / (Math.Sqrt(squaresLeft) * Math.Sqrt(squaresRight)), -1, 1);
    }

    private static double[] Weights(Layer layer, int j) =>
        [.. layer.Neuron(j).Parts.Where(p => p.Role.Use == PartUse.Weight).SelectMany(p => p.ToDoubles())];

    private static ParallelOptions Parallelism(StatsOptions options) =>
        new() { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
}
