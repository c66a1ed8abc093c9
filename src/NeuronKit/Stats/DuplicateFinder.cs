using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>
/// Finds neurons of a layer with the same incoming weights. The statistics already computed are a free first filter
/// (equal weights have equal count, zeros, min and max); only neurons sharing those are hashed, and a hash match is
/// confirmed by comparing the values, so a collision never makes a false duplicate.
/// </summary>
internal static class DuplicateFinder
{
    /// <summary>For each neuron, the lowest other index with the same weights, or null. Dead neurons are left out.</summary>
    public static long?[] Find(Layer layer, IReadOnlyList<NeuronStats> neurons)
    {
        var result = new long?[neurons.Count];
        // Most keys are unique: a key remembers its first neuron, and only a second one makes a group.
        var firsts = new Dictionary<(long, long, double, double), long>(neurons.Count);
        var candidates = new Dictionary<(long, long, double, double), List<long>>();
        foreach (var n in neurons)
        {
            if (n.Dead || n.Weights == 0) continue;
            var key = (n.Weights, n.Zeros, Canonical(n.Min), Canonical(n.Max));
            if (firsts.TryAdd(key, n.Index)) continue;
            if (!candidates.TryGetValue(key, out var list)) candidates[key] = list = [firsts[key]];
            list.Add(n.Index);
        }
        using var reader = new PartReader();
        foreach (var group in candidates.Values)
        {
            var byHash = group.GroupBy(j => Hash(reader, WeightViews(layer, j)));
            foreach (var bucket in byHash.Where(b => b.Count() > 1))
                foreach (var same in Classes(layer, bucket).Where(c => c.Count > 1))
                    foreach (long j in same)
                        result[j] = same[0] == j ? same[1] : same[0];
        }
        return result;
    }

    // Splits neurons whose hashes agree into classes of truly equal weights, each in index order.
    private static List<List<long>> Classes(Layer layer, IEnumerable<long> bucket)
    {
        List<(List<long> Members, IReadOnlyList<Tensors.TensorView> Views)> classes = [];
        foreach (long j in bucket.Order())
        {
            var views = WeightViews(layer, j);
            var match = classes.FirstOrDefault(c => c.Views.Count == views.Count && c.Views.Zip(views).All(p => PartReader.SameValues(p.First, p.Second)));
            if (match.Members is not null) match.Members.Add(j);
            else classes.Add(([j], views));
        }
        return [.. classes.Select(c => c.Members)];
    }

    private static int Hash(PartReader reader, IReadOnlyList<Tensors.TensorView> views)
    {
        var hash = new HashCode();
        foreach (var view in views) reader.AddToHash(view, ref hash);
        return hash.ToHashCode();
    }

    private static IReadOnlyList<Tensors.TensorView> WeightViews(Layer layer, long j) =>
        [.. layer.Neuron(j).Parts.Where(p => p.Role.Use == PartUse.Weight).Select(p => p.View)];

    // -0.0 equals 0.0 and every NaN is one NaN, so the key never splits values the comparison would call equal.
    private static double Canonical(double value) => value == 0 ? 0 : double.IsNaN(value) ? double.NaN : value;
}
