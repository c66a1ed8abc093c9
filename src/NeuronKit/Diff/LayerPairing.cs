using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// Which layer of B is which layer of A: the same name, else the same name once a training script's wrapper prefix is
/// removed from either side (a checkpoint dict's <c>model_state_dict.</c>, DataParallel's <c>module.</c>).
/// </summary>
internal static class LayerPairing
{
    // Prefixes a saved model's names gain without the model changing, with where they come from.
    private static readonly string[] WrapperPrefixes =
    [
        "model_state_dict.", // torch.save({"model_state_dict": model.state_dict(), "epoch": …})
        "state_dict.",       // PyTorch Lightning checkpoints, {"state_dict": …}
        "module.",           // nn.DataParallel / DistributedDataParallel
    ];

    /// <summary>The pairs (in A's order), and the layers of each file left without a partner.</summary>
    public static (IReadOnlyList<(Layer A, Layer B)> Pairs, IReadOnlyList<Layer> OnlyInA, IReadOnlyList<Layer> OnlyInB) Pair(
        IReadOnlyList<Layer> a, IReadOnlyList<Layer> b)
    {
        var unpairedB = b.ToDictionary(l => l.Name);
        var pairs = new List<(Layer, Layer)>();
        var onlyInA = new List<Layer>();
        var waiting = new List<Layer>();
        foreach (var layer in a)
        {
            if (unpairedB.Remove(layer.Name, out var partner)) pairs.Add((layer, partner));
            else waiting.Add(layer);
        }
        // Exact names first, so a prefixed name only pairs with what no exact name took.
        var byBareName = new Dictionary<string, Layer>();
        foreach (var layer in unpairedB.Values) byBareName.TryAdd(Bare(layer.Name), layer);
        foreach (var layer in waiting)
        {
            if (byBareName.Remove(Bare(layer.Name), out var partner))
            {
                pairs.Add((layer, partner));
                unpairedB.Remove(partner.Name);
            }
            else
            {
                onlyInA.Add(layer);
            }
        }
        var order = a.Select((layer, i) => (layer, i)).ToDictionary(x => x.layer, x => x.i);
        return ([.. pairs.OrderBy(p => order[p.Item1])], onlyInA, [.. b.Where(l => unpairedB.ContainsKey(l.Name))]);
    }

    /// <summary>The name without its wrapper prefix, when it has one.</summary>
    public static string Bare(string name)
    {
        foreach (string prefix in WrapperPrefixes)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return name[prefix.Length..];
        return name;
    }
}
