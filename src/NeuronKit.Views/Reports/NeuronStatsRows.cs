using System.Text.Json.Serialization;
using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>
/// A layer's rows in <c>stats --json</c>, made from its statistics as they are written. <see cref="ReportJson"/>
/// writes them in chunks of a thousand: each chunk's rows are made and serialized on the thread pool a few chunks
/// ahead, spliced into the open array in order, and flushed to the output, so memory holds only the chunks in
/// flight, never the layer's JSON.
/// </summary>
[JsonConverter(typeof(NeuronStatsRowsConverter))]
public sealed class NeuronStatsRows
{
    private readonly IReadOnlyList<NeuronStats>? _neurons;
    private readonly IReadOnlyList<NeuronStatsRow>? _rows;

    private NeuronStatsRows(IReadOnlyList<NeuronStats>? neurons, IReadOnlyList<NeuronStatsRow>? rows)
    {
        _neurons = neurons;
        _rows = rows;
    }

    /// <summary>The rows of <paramref name="neurons"/>, made when they are written or read.</summary>
    public static NeuronStatsRows Of(IReadOnlyList<NeuronStats> neurons) => new(neurons, null);

    /// <summary>Rows already made (read back from JSON, say).</summary>
    public static NeuronStatsRows Of(IReadOnlyList<NeuronStatsRow> rows) => new(null, rows);

    /// <summary>How many rows there are.</summary>
    public int Count => _neurons?.Count ?? _rows!.Count;

    /// <summary>Row <paramref name="i"/>.</summary>
    public NeuronStatsRow this[int i] => _neurons is null ? _rows![i] : NeuronStatsRow.Of(_neurons[i]);

    /// <summary>Every row, made one at a time.</summary>
    public IEnumerable<NeuronStatsRow> All() => Enumerable.Range(0, Count).Select(i => this[i]);
}
