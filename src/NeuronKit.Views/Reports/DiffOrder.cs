using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>
/// <c>neuron diff</c>'s <c>--sort KEY[:asc|:desc]</c> and <c>--top N</c>, applied within each layer. Changes sort
/// largest first unless told <c>:asc</c>; <c>index</c> and <c>cosine</c> (the least similar first) sort ascending.
/// NaN sorts last either way.
/// </summary>
public sealed class DiffOrder
{
    private static readonly (string Key, Func<NeuronDiff, double> Value, bool Descending)[] Keys =
    [
        ("index", n => n.Index, false),
        ("l2_delta", n => n.L2Delta, true),
        ("relative", n => n.Relative, true),
        ("cosine", n => n.Cosine, false),
        ("max_abs", n => n.MaxAbs, true),
        ("bias_delta", n => n.BiasDelta is { } d ? Math.Abs(d) : double.NaN, true),
    ];

    private readonly SortKeyOrder<NeuronDiff> _order;

    private DiffOrder(SortKeyOrder<NeuronDiff> order) => _order = order;

    /// <summary>Every neuron in index order: what <c>neuron diff</c> prints without <c>--sort</c> or <c>--top</c>.</summary>
    public static DiffOrder ByIndex { get; } = Parse(null, null);

    /// <summary>Parses <c>--sort</c> and <c>--top</c>; a bad value is a <see cref="RequestException"/>.</summary>
    public static DiffOrder Parse(string? sort, int? top) => new(SortKeyOrder<NeuronDiff>.Parse(Keys, sort, top, "relative:asc"));

    /// <summary>True when no neuron rows are to be printed (<c>--top 0</c>).</summary>
    public bool SummaryOnly => _order.SummaryOnly;

    /// <summary>The neurons of <paramref name="layer"/> to print, in order.</summary>
    public IReadOnlyList<NeuronDiff> Apply(LayerDiff layer) => _order.Apply(layer.Neurons);
}
