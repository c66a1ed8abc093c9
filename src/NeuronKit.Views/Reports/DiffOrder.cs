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

    private readonly Func<NeuronDiff, double> _value;
    private readonly bool _descending;
    private readonly int? _top;

    private DiffOrder(Func<NeuronDiff, double> value, bool descending, int? top)
    {
        _value = value;
        _descending = descending;
        _top = top;
    }

    /// <summary>Every neuron in index order: what <c>neuron diff</c> prints without <c>--sort</c> or <c>--top</c>.</summary>
    public static DiffOrder ByIndex { get; } = Parse(null, null);

    /// <summary>Parses <c>--sort</c> and <c>--top</c>; a bad value is a <see cref="RequestException"/>.</summary>
    public static DiffOrder Parse(string? sort, int? top)
    {
        if (top < 0) throw new RequestException($"--top {top} is negative; give a count of neurons per layer (0 prints the summaries only)");
        string text = sort ?? "index";
        string[] pieces = text.Split(':');
        var key = Keys.FirstOrDefault(k => k.Key == pieces[0].ToLowerInvariant());
        if (key.Key is null || pieces.Length > 2 || (pieces.Length == 2 && pieces[1] is not ("asc" or "desc")))
            throw new RequestException($"--sort '{text}' is not a sort key",
                [$"keys: {string.Join(", ", Keys.Select(k => k.Key))}, each optionally followed by :asc or :desc (relative:asc)"]);
        return new DiffOrder(key.Value, pieces.Length == 2 ? pieces[1] == "desc" : key.Descending, top);
    }

    /// <summary>True when no neuron rows are to be printed (<c>--top 0</c>).</summary>
    public bool SummaryOnly => _top == 0;

    /// <summary>The neurons of <paramref name="layer"/> to print, in order.</summary>
    public IReadOnlyList<NeuronDiff> Apply(LayerDiff layer)
    {
        IEnumerable<NeuronDiff> ordered = layer.Neurons
            .OrderBy(n => double.IsNaN(_value(n)))
            .ThenBy(n => _descending ? -_value(n) : _value(n))
            .ThenBy(n => n.Index);
        return _top is { } top ? [.. ordered.Take(top)] : [.. ordered];
    }
}
