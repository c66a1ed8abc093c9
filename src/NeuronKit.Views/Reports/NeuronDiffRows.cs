using System.Text.Json.Serialization;
using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>A layer's rows in <c>diff --json</c>, made from its neurons' changes as they are written, in chunks (<see cref="ReportRows{TResult, TRow}"/>).</summary>
[JsonConverter(typeof(NeuronDiffRowsConverter))]
public sealed class NeuronDiffRows : ReportRows<NeuronDiff, NeuronDiffRow>
{
    private NeuronDiffRows(IReadOnlyList<NeuronDiff>? neurons, IReadOnlyList<NeuronDiffRow>? rows) : base(neurons, rows, NeuronDiffRow.Of)
    {
    }

    /// <summary>The rows of <paramref name="neurons"/>, made when they are written or read.</summary>
    public static NeuronDiffRows Of(IReadOnlyList<NeuronDiff> neurons) => new(neurons, null);

    /// <summary>Rows already made (read back from JSON, say).</summary>
    public static NeuronDiffRows Of(IReadOnlyList<NeuronDiffRow> rows) => new(null, rows);
}
