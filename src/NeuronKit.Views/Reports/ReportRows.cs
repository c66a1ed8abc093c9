namespace NeuronKit.Views.Reports;

/// <summary>
/// A layer's rows in a report (<c>stats --json</c>, <c>diff --json</c>), made from the library's per-neuron results
/// as they are written: <see cref="ReportJson"/> writes them in chunks (<see cref="ChunkedRows"/>), so memory holds
/// only the chunks in flight, never the layer's JSON.
/// </summary>
/// <typeparam name="TResult">The library's result for one neuron.</typeparam>
/// <typeparam name="TRow">Its row in the report.</typeparam>
public abstract class ReportRows<TResult, TRow>
{
    private readonly IReadOnlyList<TResult>? _results;
    private readonly IReadOnlyList<TRow>? _rows;
    private readonly Func<TResult, TRow> _rowOf;

    private protected ReportRows(IReadOnlyList<TResult>? results, IReadOnlyList<TRow>? rows, Func<TResult, TRow> rowOf)
    {
        _results = results;
        _rows = rows;
        _rowOf = rowOf;
    }

    /// <summary>How many rows there are.</summary>
    public int Count => _results?.Count ?? _rows!.Count;

    /// <summary>Row <paramref name="i"/>.</summary>
    public TRow this[int i] => _results is null ? _rows![i] : _rowOf(_results[i]);

    /// <summary>Every row, made one at a time.</summary>
    public IEnumerable<TRow> All() => Enumerable.Range(0, Count).Select(i => this[i]);
}
