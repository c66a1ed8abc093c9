using System.Text.Json.Serialization;
using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>A layer's rows in <c>stats --json</c>, made from its statistics as they are written, in chunks (<see cref="ReportRows{TResult, TRow}"/>).</summary>
[JsonConverter(typeof(NeuronStatsRowsConverter))]
public sealed class NeuronStatsRows : ReportRows<NeuronStats, NeuronStatsRow>
{
    private NeuronStatsRows(IReadOnlyList<NeuronStats>? neurons, IReadOnlyList<NeuronStatsRow>? rows) : base(neurons, rows, NeuronStatsRow.Of)
    {
    }

    /// <summary>The rows of <paramref name="neurons"/>, made when they are written or read.</summary>
    public static NeuronStatsRows Of(IReadOnlyList<NeuronStats> neurons) => new(neurons, null);

    /// <summary>Rows already made (read back from JSON, say).</summary>
    public static NeuronStatsRows Of(IReadOnlyList<NeuronStatsRow> rows) => new(null, rows);
}
