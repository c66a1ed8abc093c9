using System.Text.Json.Serialization;
using NeuronKit.Stats;

namespace NeuronKit.Views.Reports;

/// <summary>A layer's rows in <c>stats --json</c>, made from its statistics as they are written, in chunks (<see cref="ReportRows{TResult, TRow}"/>).</summary>
[JsonConverter(typeof(NeuronStatsRowsConverter))]
public sealed class NeuronStatsRows : ReportRows<NeuronStats, NeuronStatsRow>
{
    private NeuronStatsRows(IReadOnlyList<NeuronStats>? neurons, IReadOnlyList<NeuronStatsRow>? rows, bool nearest)
        : base(neurons, rows, n => NeuronStatsRow.Of(n, nearest))
    {
    }

    /// <summary>The rows of <paramref name="neurons"/>, made when they are written or read; with each one's nearest neighbour when <paramref name="nearest"/>.</summary>
    public static NeuronStatsRows Of(IReadOnlyList<NeuronStats> neurons, bool nearest = false) => new(neurons, null, nearest);

    /// <summary>Rows already made (read back from JSON, say).</summary>
    public static NeuronStatsRows Of(IReadOnlyList<NeuronStatsRow> rows) => new(null, rows, false);
}
