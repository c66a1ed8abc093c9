using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using NeuronKit.Edits;

namespace NeuronKit.Views.Reports;

// Layer and neuron come before the identity, the rest after it: the serializer would put a derived type's own first.
/// <summary>One part an edit changes: its neuron, its identity, its L2 norm before, asked for and after, and its byte runs.</summary>
public sealed record EditChangeReport : PartIdentity
{
    /// <summary>For deserialization.</summary>
    public EditChangeReport() { }

    [SetsRequiredMembers]
    private EditChangeReport(PartChange change) : base(change.Part)
    {
        Layer = change.Neuron.Layer.Name;
        Neuron = change.Neuron.Index;
        L2Before = L2(change.Before);
        L2Requested = L2(change.Requested);
        L2After = change.After is null ? null : L2(change.After);
        MaxError = change.MaxError;
        Saturated = change.Clipped;
        Writes = [.. change.Writes.Select(run => new[] { run.Offset, run.Bytes.Length })];
    }

    /// <summary>The report of <paramref name="change"/>.</summary>
    public static EditChangeReport Of(PartChange change) => new(change);

    /// <summary>The Euclidean norm of <paramref name="values"/>, as the reports give it.</summary>
    public static double L2(double[] values) => Math.Sqrt(values.Sum(v => v * v));

    /// <summary>The neuron's layer.</summary>
    [JsonPropertyOrder(-1)]
    public required string Layer { get; init; }

    /// <summary>The neuron's index.</summary>
    [JsonPropertyOrder(-1)]
    public required long Neuron { get; init; }

    /// <summary>The part's L2 norm before the edit.</summary>
    [JsonPropertyOrder(1)]
    public required double L2Before { get; init; }

    /// <summary>The L2 norm the edit asks for.</summary>
    [JsonPropertyOrder(1)]
    public required double L2Requested { get; init; }

    /// <summary>The L2 norm of what was stored, or null before it is written.</summary>
    [JsonPropertyOrder(1)]
    public required double? L2After { get; init; }

    /// <summary>The largest difference between what was asked for and what the dtype could store, or null before it is written.</summary>
    [JsonPropertyOrder(1)]
    public required double? MaxError { get; init; }

    /// <summary>How many values saturated at a quantized dtype's range, or null.</summary>
    [JsonPropertyOrder(1)]
    public required int? Saturated { get; init; }

    /// <summary>The part's byte runs, each <c>[offset, length]</c>.</summary>
    [JsonPropertyOrder(1)]
    public required IReadOnlyList<long[]> Writes { get; init; }
}
