using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Views.Reports;

// Its own properties come after the identity's: the serializer would put a derived type's first.
/// <summary>One part of a neuron in <c>show --json</c>: its identity, its values nested as its shape, and a quantized part's stored side.</summary>
public sealed record PartReport : PartIdentity
{
    /// <summary>For deserialization.</summary>
    public PartReport() { }

    [SetsRequiredMembers]
    private PartReport(NeuronPart part) : base(part)
    {
        Values = part.DType.IsComplex() ? NestedValues.Of(part.ToComplex(), part.Shape) : NestedValues.Of(part.ToDoubles(), part.Shape);
        Quantized = part.ToQuantized() is { } quantized ? QuantizedReport.Of(quantized, part.Shape) : null;
    }

    /// <summary>The part's values (reads them from the file).</summary>
    public static PartReport Of(NeuronPart part) => new(part);

    /// <summary>The stored numbers converted exactly to double (dequantized for a quantized part).</summary>
    [JsonPropertyOrder(1)]
    public required NestedValues Values { get; init; }

    /// <summary>The stored integers, scales and zero points of a quantized part; left out of the JSON otherwise.</summary>
    [JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuantizedReport? Quantized { get; init; }
}
