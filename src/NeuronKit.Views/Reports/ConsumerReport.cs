using System.Text.Json.Serialization;
using NeuronKit.Graph;

namespace NeuronKit.Views.Reports;

/// <summary>A layer that reads another's output, as <c>layers --json</c> lists it.</summary>
/// <param name="Layer">The consumer's name.</param>
/// <param name="Through">The per-channel layers on the way (a BatchNorm).</param>
/// <param name="Offset">The consumer input that channel 0 starts at.</param>
/// <param name="Spread">How many consecutive consumer inputs one channel feeds (1, or S positions after a flatten).</param>
/// <param name="Fold">
/// The length of the blocks of the layer's channels that land on the same inputs (a gated unit's gate | up halves): channel
/// j is then input offset + (j mod fold)·spread. Left out of the JSON where they do not fold.
/// </param>
/// <param name="SharedHeads">
/// How grouped-query attention shares the layer's value heads among query heads (size, times): unit j lands at inputs
/// offset + ((j / size)·times + t)·size + j mod size for each t &lt; times. Left out of the JSON for every other consumer.
/// </param>
/// <param name="Groups">The groups the consumer is read with (a grouped convolution's; 1 otherwise).</param>
/// <param name="Residual">True when the path passes a residual add.</param>
/// <param name="Assumed">True when only names and shapes say so, not the file's graph or module order.</param>
/// <param name="Evidence">What decided it.</param>
public sealed record ConsumerReport(
    string Layer,
    IReadOnlyList<string> Through,
    long Offset,
    long Spread,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Fold,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SharedHeads? SharedHeads,
    long Groups,
    bool Residual,
    bool Assumed,
    IReadOnlyList<string> Evidence)
{
    /// <summary>The report of <paramref name="edge"/>.</summary>
    public static ConsumerReport Of(LayerEdge edge) => new(
        edge.Consumer.Name,
        [.. edge.Through.Select(through => through.Name)],
        edge.Map.Offset,
        edge.Map.Spread,
        edge.Map.Fold,
        edge.Map.Heads,
        edge.Groups,
        edge.Residual,
        edge.Assumed,
        edge.Evidence);
}
