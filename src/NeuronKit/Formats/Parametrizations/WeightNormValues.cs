using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Parametrizations;

/// <summary>
/// A weight-normed weight as float32 values: PyTorch's <c>_weight_norm(v, g, dim)</c> computes
/// <c>v * (g / ‖v‖)</c> in float32, the norm over every dimension but <c>dim</c> (over all of v when g is one value), and
/// element e is that, each factor <c>g / ‖v‖</c> rounded to float32 as PyTorch rounds it. The norms are summed in double
/// and rounded once, where PyTorch sums in float32 in an order its CPU's vector width sets: a factor can round a unit
/// apart from PyTorch's, and a value a unit or two (2 at most on the fixtures).
/// The norms need all of v, read once on first use.
/// </summary>
internal sealed class WeightNormValues : DecodedFloats, IPartwiseCut
{
    private const int Chunk = 1 << 20;
    private readonly string _name, _stored;
    private readonly TensorView _v;
    private readonly long _inner, _size;
    private readonly Lazy<float[]> _factors;
    private readonly int? _dim;

    /// <summary><paramref name="dim"/> is the dimension g keeps, or null when g is one value for all of v.</summary>
    public WeightNormValues(string name, TensorInfo g, TensorInfo v, int? dim, string stored) : base(v.ElementCount)
    {
        (_name, _stored, _dim) = (name, stored, dim);
        _v = MaskedValues.FlatView(v);
        _size = dim is { } d ? v.Shape[d] : 1;
        _inner = dim is { } k ? v.Shape.Skip(k + 1).Aggregate(1L, (n, s) => n * s) : v.ElementCount;
        _factors = new(() => Factors(g.View().ToDoubles()));
    }

    // g / ‖v‖ per index of the dimension g keeps, in float32.
    private float[] Factors(double[] g)
    {
        var squares = new double[_size];
        for (long start = 0; start < _v.ElementCount; start += Chunk)
        {
            var values = _v.Narrow(0, start, Math.Min(Chunk, _v.ElementCount - start)).ToDoubles();
            for (int i = 0; i < values.Length; i++) squares[(start + i) / _inner % _size] += values[i] * values[i];
        }
        var factors = new float[_size];
        for (int k = 0; k < _size; k++) factors[k] = (float)g[k] / (float)Math.Sqrt(squares[k]);
        return factors;
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> values)
    {
        var factors = _factors.Value;
        var v = _v.Narrow(0, first, values.Length).ToDoubles();
        for (int i = 0; i < values.Length; i++) values[i] = (float)v[i] * factors[(first + i) / _inner % _size];
    }

    /// <summary>
    /// Indices of the dimension g keeps leave g and v together, and every kept slice keeps its norm; indices of any other
    /// dimension would change the norms, and so every value left (refused).
    /// </summary>
    public IReadOnlyList<TensorCut> PartCuts(TensorCut cut)
    {
        if (cut.Removed.Keys.Where(d => d != _dim).Order().ToList() is [var other, ..])
            throw new RequestException($"{_name} is weight-normed ({_stored}, the norm taken {(_dim is { } d ? $"over every dimension but {d}" : "over all of it")}): " +
                $"removing indices of its dimension {other} would change the norms, and so every value the module computes",
                ["make it one tensor first: torch.nn.utils.remove_weight_norm(module) (or parametrize.remove_parametrizations) before saving"]);
        return [.. cut.Tensor.StoredParts.Select(part => TensorCut.Of(part, cut.Removed))];
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is weight-normed ({_stored}): NeuronKit reads the values the module computes, and does not " +
            "write edited values back into its magnitude and direction",
            ["make it one tensor first: torch.nn.utils.remove_weight_norm(module) (or parametrize.remove_parametrizations) before saving"]);
}
