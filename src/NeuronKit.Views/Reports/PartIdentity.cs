using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Views.Reports;

/// <summary>What names a part of a neuron in every report (show, edit): its tensor, role, gate, direction, consumer, index, shape and dtype.</summary>
public record PartIdentity
{
    /// <summary>For deserialization.</summary>
    public PartIdentity() { }

    /// <summary>The identity of <paramref name="part"/>.</summary>
    [SetsRequiredMembers]
    protected PartIdentity(NeuronPart part)
    {
        Tensor = part.Tensor;
        Role = part.Role.Name;
        Gate = part.Gate?.Name;
        Direction = part.Direction.ToString().ToLowerInvariant();
        Consumer = part.Consumer;
        Index = part.Index;
        Shape = part.Shape;
        Dtype = part.StoredAs ?? part.DType.Name();
    }

    /// <summary>The tensor the part is a slice of.</summary>
    public required string Tensor { get; init; }

    /// <summary>The tensor's role in its layer (weight, bias, weight_ih, …).</summary>
    public required string Role { get; init; }

    /// <summary>The gate of a recurrent layer's part, or null.</summary>
    public required string? Gate { get; init; }

    /// <summary><c>in</c>, <c>through</c> or <c>out</c>.</summary>
    public required string Direction { get; init; }

    /// <summary>The consumer layer of a through or out part; left out of the JSON for the neuron's own parts.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Consumer { get; init; }

    /// <summary>The slice of the tensor, as Python writes it: <c>[2]</c>, <c>[:, 3]</c>.</summary>
    public required string Index { get; init; }

    /// <summary>The part's shape.</summary>
    public required IReadOnlyList<long> Shape { get; init; }

    /// <summary>The dtype as stored (<c>float32</c>, <c>qint8</c>, <c>q4_0</c>, …).</summary>
    public required string Dtype { get; init; }
}
