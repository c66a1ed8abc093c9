using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>
/// <c>--sort KEY[:asc|:desc]</c> and <c>--top N</c>, applied within each layer. Statistics sort largest first unless
/// told <c>:asc</c>; <c>index</c> sorts ascending. NaN sorts last either way.
/// </summary>
public sealed class StatsOrder
{
    private static readonly (string Key, Func<NeuronStats, double> Value, bool Descending)[] Keys =
    [
        ("index", n => n.Index, false),
        ("l1", n => n.L1, true),
        ("l2", n => n.L2, true),
        ("mean", n => n.Mean, true),
        ("std", n => n.Std, true),
        ("min", n => n.Min, true),
        ("max", n => n.Max, true),
        ("zeros", n => n.ZeroFraction, true),
        ("bias", n => n.Bias ?? double.NaN, true),
    ];

    private readonly SortKeyOrder<NeuronStats> _order;

    private StatsOrder(SortKeyOrder<NeuronStats> order) => _order = order;

    /// <summary>Every neuron in index order: what <c>neuron stats</c> prints without <c>--sort</c> or <c>--top</c>.</summary>
    public static StatsOrder ByIndex { get; } = Parse(null, null);

    /// <summary>Parses <c>--sort</c> and <c>--top</c>; a bad value is a <see cref="RequestException"/>.</summary>
    public static StatsOrder Parse(string? sort, int? top) => new(SortKeyOrder<NeuronStats>.Parse(Keys, sort, top, "l2:asc"));

    /// <summary>True when no neuron rows are to be printed (<c>--top 0</c>).</summary>
    public bool SummaryOnly => _order.SummaryOnly;

    /// <summary>The neurons of <paramref name="layer"/> to print, in order.</summary>
    public IReadOnlyList<NeuronStats> Apply(LayerStats layer) => _order.Apply(layer.Neurons);
}
