namespace NeuronKit.Views.Reports;

/// <summary>
/// <c>--sort KEY[:asc|:desc]</c> and <c>--top N</c> over a layer's rows of <typeparamref name="TRow"/>, from a table of
/// keys (name, value, whether it sorts largest first); NaN sorts last either way, ties by index. <see cref="StatsOrder"/>
/// and <see cref="DiffOrder"/> are this with their own keys.
/// </summary>
internal sealed class SortKeyOrder<TRow>
{
    private readonly Func<TRow, double> _value;
    private readonly Func<TRow, long> _index;
    private readonly bool _byIndex;
    private readonly bool _descending;
    private readonly int? _top;

    private SortKeyOrder(Func<TRow, double> value, Func<TRow, long> index, bool byIndex, bool descending, int? top)
    {
        _value = value;
        _index = index;
        _byIndex = byIndex;
        _descending = descending;
        _top = top;
    }

    /// <summary>Parses <c>--sort</c> and <c>--top</c> against <paramref name="keys"/> (the first is the index); a bad value is a <see cref="RequestException"/>.</summary>
    public static SortKeyOrder<TRow> Parse(IReadOnlyList<(string Key, Func<TRow, double> Value, bool Descending)> keys, string? sort, int? top, string example)
    {
        if (top < 0) throw new RequestException($"--top {top} is negative; give a count of neurons per layer (0 prints the summaries only)");
        string text = sort ?? keys[0].Key;
        string[] pieces = text.Split(':');
        var key = keys.FirstOrDefault(k => k.Key == pieces[0].ToLowerInvariant());
        if (key.Key is null || pieces.Length > 2 || (pieces.Length == 2 && pieces[1] is not ("asc" or "desc")))
            throw new RequestException($"--sort '{text}' is not a sort key",
                [$"keys: {string.Join(", ", keys.Select(k => k.Key))}, each optionally followed by :asc or :desc ({example})"]);
        bool descending = pieces.Length == 2 ? pieces[1] == "desc" : key.Descending;
        var index = keys[0].Value;
        return new SortKeyOrder<TRow>(key.Value, row => (long)index(row), key.Key == keys[0].Key, descending, top);
    }


    /// <summary>True when no rows are to be printed (<c>--top 0</c>).</summary>
    public bool SummaryOnly => _top == 0;

    /// <summary>The rows to print, in order.</summary>
    public IReadOnlyList<TRow> Apply(IReadOnlyList<TRow> rows)
    {
        // Rows come in index order already; sorting a million of them again costs more than measuring them.
        if (_byIndex && !_descending) return _top is { } first && first < rows.Count ? [.. rows.Take(first)] : rows;
        IEnumerable<TRow> ordered = rows
            .OrderBy(n => double.IsNaN(_value(n)))
            .ThenBy(n => _descending ? -_value(n) : _value(n))
            .ThenBy(_index);
        return _top is { } top ? [.. ordered.Take(top)] : [.. ordered];
    }
}
