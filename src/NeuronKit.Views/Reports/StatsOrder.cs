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

    private readonly Func<NeuronStats, double> _value;
    private readonly bool _byIndex;
    private readonly bool _descending;
    private readonly int? _top;

    private StatsOrder(Func<NeuronStats, double> value, bool byIndex, bool descending, int? top)
    {
        _value = value;
        _byIndex = byIndex;
        _descending = descending;
        _top = top;
    }

    /// <summary>Every neuron in index order: what <c>neuron stats</c> prints without <c>--sort</c> or <c>--top</c>.</summary>
    public static StatsOrder ByIndex { get; } = Parse(null, null);

    /// <summary>Parses <c>--sort</c> and <c>--top</c>; a bad value is a <see cref="RequestException"/>.</summary>
    public static StatsOrder Parse(string? sort, int? top)
    {
        if (top < 0) throw new RequestException($"--top {top} is negative; give a count of neurons per layer (0 prints the summaries only)");
        string text = sort ?? "index";
        string[] pieces = text.Split(':');
        var key = Keys.FirstOrDefault(k => k.Key == pieces[0].ToLowerInvariant());
        if (key.Key is null || pieces.Length > 2 || (pieces.Length == 2 && pieces[1] is not ("asc" or "desc")))
            throw new RequestException($"--sort '{text}' is not a sort key",
                [$"keys: {string.Join(", ", Keys.Select(k => k.Key))}, each optionally followed by :asc or :desc (l2:asc)"]);
        bool descending = pieces.Length == 2 ? pieces[1] == "desc" : key.Descending;
        return new StatsOrder(key.Value, key.Key == "index", descending, top);
    }

    /// <summary>True when no neuron rows are to be printed (<c>--top 0</c>).</summary>
    public bool SummaryOnly => _top == 0;

    /// <summary>The neurons of <paramref name="layer"/> to print, in order.</summary>
    public IReadOnlyList<NeuronStats> Apply(LayerStats layer)
    {
        // A layer's neurons are in index order already; sorting a million of them again costs more than measuring them.
        if (_byIndex && !_descending) return _top is { } first && first < layer.Neurons.Count ? [.. layer.Neurons.Take(first)] : layer.Neurons;
        IEnumerable<NeuronStats> ordered = layer.Neurons
            .OrderBy(n => double.IsNaN(_value(n)))
            .ThenBy(n => _descending ? -_value(n) : _value(n))
            .ThenBy(n => n.Index);
        return _top is { } top ? [.. ordered.Take(top)] : [.. ordered];
    }
}
