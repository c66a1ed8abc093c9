using System.Text.Json.Serialization;
using NeuronKit.Layers;

namespace NeuronKit.Views.Reports;

/// <summary>One layer in <c>layers --json</c>.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Kind">Its kind, in PyTorch's class names.</param>
/// <param name="Neurons">How many neurons it has.</param>
/// <param name="Layout">How its weight is read: <c>out,in</c>, <c>in,out</c>, …</param>
/// <param name="Assumed">True when nothing in the file settled the kind or layout.</param>
/// <param name="Evidence">What decided the kind and layout.</param>
/// <param name="Consumers">The layers that read this one's output.</param>
/// <param name="Unfollowed">
/// What else reads its output that NeuronKit cannot follow to a consumer (a Concat of an input it cannot count, a Softmax),
/// beside <paramref name="Consumers"/>; absent when nothing does.
/// </param>
/// <param name="Tensors">The layer's tensors.</param>
public sealed record LayerReport(
    string Name,
    string Kind,
    long Neurons,
    string Layout,
    bool Assumed,
    IReadOnlyList<string> Evidence,
    IReadOnlyList<ConsumerReport> Consumers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Unfollowed,
    IReadOnlyList<LayerTensorReport> Tensors)
{
    /// <summary>The report of <paramref name="layer"/>, a layer of <paramref name="model"/>.</summary>
    public static LayerReport Of(Model model, Layer layer) => new(
        layer.Name,
        layer.Kind,
        layer.NeuronCount,
        layer.Layout,
        layer.Assumed,
        layer.Evidence,
        [.. model.Graph.ConsumersOf(layer).Select(ConsumerReport.Of)],
        model.Graph.Unfollowed(layer),
        [.. layer.Tensors.Select(LayerTensorReport.Of)]);
}
