using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Parametrizations;

/// <summary>
/// Weight normalization keeps a parameter NAME as a magnitude g and a direction v: <c>torch.nn.utils.weight_norm</c> as
/// <c>NAME_g</c> and <c>NAME_v</c> (wav2vec2's and HuBERT's positional convolution, HiFi-GAN, WaveNet vocoders),
/// <c>torch.nn.utils.parametrizations.weight_norm</c> as <c>parametrizations.NAME.original0</c> and <c>original1</c>.
/// g has v's dimensions, all of size 1 but the one it keeps (dim 0 by default; wav2vec2's is 2), or is one value. Each
/// such pair of float32 tensors is read as the one tensor NAME the module computes with, <c>v · g / ‖v‖</c>
/// (<see cref="WeightNormValues"/>), stored as <c>float32·NAME_g/‖NAME_v‖</c>. A pair of other shapes or dtypes stays
/// as it is.
/// </summary>
internal static class WeightNorms
{
    private const string Parametrizations = "parametrizations.";

    /// <summary><paramref name="tensors"/> with every weight-normed parameter read as the one its module computes, at the place of its g.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var g in tensors)
        {
            if (Pair(g.Name) is not var (name, vName) || byName.ContainsKey(name) || byName.GetValueOrDefault(vName) is not { } v
                || Dim(g, v) is not (true, var dim))
                continue;
            string stored = $"float32·{Last(g.Name)}/‖{Last(vName)}‖";
            var values = new WeightNormValues(name, g, v, dim, stored);
            decoded.Add(TensorInfo.Contiguous(name, DType.Float32, [.. v.Shape], new TensorStorage(name, values, 0, values.Length))
                with { StoredAs = stored }, g, v);
        }
        return decoded.Replace(tensors);
    }

    // The parameter a g's name is of and its v's name: m.weight_g → m.weight, m.weight_v; m.parametrizations.weight.original0 →
    // m.weight, m.parametrizations.weight.original1.
    private static (string Name, string V)? Pair(string g)
    {
        if (g.EndsWith("_g", StringComparison.Ordinal) && g.Length > 2 && g[^3] != '.')
            return (g[..^2], g[..^2] + "_v");
        const string original0 = ".original0";
        if (!g.EndsWith(original0, StringComparison.Ordinal)) return null;
        string parametrized = g[..^original0.Length];   // m.parametrizations.weight
        int at = parametrized.LastIndexOf('.');
        if (at < 0) return null;
        string owner = parametrized[..(at + 1)], parameter = parametrized[(at + 1)..];   // "m.parametrizations.", "weight"
        if (!owner.EndsWith(Parametrizations, StringComparison.Ordinal)) return null;
        return (owner[..^Parametrizations.Length] + parameter, parametrized + ".original1");
    }

    // Whether g fits v, and the dimension it keeps (null: g is one value).
    private static (bool Fits, int? Dim) Dim(TensorInfo g, TensorInfo v)
    {
        if (g.DType != DType.Float32 || v.DType != DType.Float32 || v.Shape.Count < 1 || v.ElementCount == 0) return (false, null);
        if (g.ElementCount == 1 && g.Shape.All(s => s == 1)) return (true, null);
        if (g.Shape.Count != v.Shape.Count) return (false, null);
        var kept = Enumerable.Range(0, g.Shape.Count).Where(d => g.Shape[d] != 1).ToList();
        return kept is [var dim] && g.Shape[dim] == v.Shape[dim] ? (true, dim) : (false, null);
    }

    private static string Last(string name) => name[(name.LastIndexOf('.') + 1)..];
}
