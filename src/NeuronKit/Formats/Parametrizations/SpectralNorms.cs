using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Parametrizations;

/// <summary>
/// Spectral normalization (GAN discriminators) keeps a parameter NAME as the weight and its power iteration's vectors:
/// <c>torch.nn.utils.spectral_norm</c> as <c>NAME_orig</c>, <c>NAME_u</c> and <c>NAME_v</c>,
/// <c>torch.nn.utils.parametrizations.spectral_norm</c> as <c>parametrizations.NAME.original</c>, <c>.0._u</c> and
/// <c>.0._v</c>; the module computes with <c>NAME_orig / σ</c>, σ = u · (W v) (<see cref="SpectralNormValues"/>), W the
/// weight with the normed dimension first: 0, or 1 for a ConvTranspose. Where the sizes of u and v fit only one dimension
/// (a 2-d weight is normed along 0), that is it; where they fit both (a convolution of as many inputs as outputs), the
/// file itself must say which: u is the last power iteration's <c>W v</c>, normalized, so it points along W v for the one
/// dimension (a cosine above 0.999) and not for the other. A weight that does not say (never trained, so u is its random
/// start) stays as its three tensors: a guess could be silently wrong.
/// </summary>
internal static class SpectralNorms
{
    private const double Aligned = 0.999;

    /// <summary><paramref name="tensors"/> with every spectral-normed parameter read as the one its module computes, at the place of its weight.</summary>
    public static IReadOnlyList<TensorInfo> Combine(IReadOnlyList<TensorInfo> tensors)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var decoded = new DecodedTensors();
        foreach (var weight in tensors)
        {
            if (Names(weight.Name) is not var (name, uName, vName) || byName.ContainsKey(name)
                || byName.GetValueOrDefault(uName) is not { } u || byName.GetValueOrDefault(vName) is not { } v
                || weight.DType != DType.Float32 || u.DType != DType.Float32 || v.DType != DType.Float32
                || weight.Shape.Count < 2 || u.Shape.Count != 1 || v.Shape.Count != 1 || weight.ElementCount == 0
                || Dim(weight, u, v) is not { } dim)
                continue;
            string stored = $"float32/σ({Last(uName)}, {Last(vName)})";
            // σ reads the whole weight: on first use, not when the file is opened.
            var sigma = new Lazy<double>(() => Dot(u.View().ToDoubles(), Product(weight.View().ToDoubles(), weight.Shape, dim, v.View().ToDoubles())));
            var values = new SpectralNormValues(name, weight, sigma, stored);
            decoded.Add(TensorInfo.Contiguous(name, DType.Float32, [.. weight.Shape], new TensorStorage(name, values, 0, values.Length))
                with { StoredAs = stored, SpectralNormDim = dim }, weight, u, v);
        }
        return decoded.Replace(tensors);
    }

    // The parameter a weight's name is of, and its u's and v's names: m.weight_orig → m.weight, m.weight_u, m.weight_v;
    // m.parametrizations.weight.original → m.weight, m.parametrizations.weight.0._u, ….0._v.
    private static (string Name, string U, string V)? Names(string weight)
    {
        const string orig = "_orig", original = ".original", parametrizations = "parametrizations.";
        if (weight.EndsWith(orig, StringComparison.Ordinal) && weight.Length > orig.Length && weight[^(orig.Length + 1)] != '.')
        {
            string name = weight[..^orig.Length];
            return (name, name + "_u", name + "_v");
        }
        if (!weight.EndsWith(original, StringComparison.Ordinal)) return null;
        string parametrized = weight[..^original.Length];   // m.parametrizations.weight
        int at = parametrized.LastIndexOf('.');
        if (at < 0 || !parametrized[..(at + 1)].EndsWith(parametrizations, StringComparison.Ordinal)) return null;
        return (parametrized[..(at + 1 - parametrizations.Length)] + parametrized[(at + 1)..], parametrized + ".0._u", parametrized + ".0._v");
    }

    // The dimension W is taken along: the one u and v fit (0 for a 2-d weight), or, where they fit both, the one the file
    // shows u aligned with, which only then reads the tensors; null when none does.
    private static int? Dim(TensorInfo weight, TensorInfo u, TensorInfo v)
    {
        var fits = new[] { 0, 1 }.Where(d => weight.Shape[d] == u.Shape[0] && weight.ElementCount / weight.Shape[d] == v.Shape[0]).ToList();
        if (fits.Count == 0 || weight.Shape.Count == 2 && !fits.Contains(0)) return null;
        if (weight.Shape.Count == 2) return 0;
        if (fits is [var only]) return only;
        double[] w = weight.View().ToDoubles(), uValues = u.View().ToDoubles(), vValues = v.View().ToDoubles();
        return fits.Where(d => Cosine(uValues, Product(w, weight.Shape, d, vValues)) > Aligned).ToList() is [var aligned] ? aligned : null;
    }

    // W v for W the weight with dimension `dim` first and the others flattened in order.
    private static double[] Product(double[] w, IReadOnlyList<long> shape, int dim, double[] v)
    {
        long rows = shape[dim], inner = shape.Skip(dim + 1).Aggregate(1L, (n, s) => n * s);
        var result = new double[rows];
        // Element e of the weight is row (e / inner) % rows; its column counts the other dimensions in order.
        for (long e = 0; e < w.Length; e++)
        {
            long row = e / inner % rows, column = e / (inner * rows) * inner + e % inner;
            result[row] += w[e] * v[column];
        }
        return result;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static double Cosine(double[] a, double[] b) => Dot(a, b) / Math.Sqrt(Dot(a, a) * Dot(b, b));

    // A vector's name after its parameter's: weight_u, or 0._u under parametrizations.
    private static string Last(string name)
    {
        var components = name.Split('.');
        return components[^1].StartsWith('_') ? $"{components[^2]}.{components[^1]}" : components[^1];
    }
}
