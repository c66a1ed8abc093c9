using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>The layer graph of a model, from the strongest evidence its file gives.</summary>
internal static class LayerGraphInference
{
    public static LayerGraph Infer(IReadOnlyList<Layer> layers, ModelGraph graph)
    {
        var consumers = new Dictionary<Layer, IReadOnlyList<LayerEdge>>(ReferenceEqualityComparer.Instance);
        var whyNone = new Dictionary<Layer, string>(ReferenceEqualityComparer.Instance);
        SequentialSiblings.Add(layers, graph, consumers, whyNone);
        GraphConventions.Add(layers, consumers, whyNone);
        return new LayerGraph(consumers, whyNone);
    }
}
