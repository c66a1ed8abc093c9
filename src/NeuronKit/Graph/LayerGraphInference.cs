using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>The layer graph of a model, from the strongest evidence its file gives.</summary>
internal static class LayerGraphInference
{
    public static LayerGraph Infer(IReadOnlyList<Layer> layers, Checkpoint checkpoint)
    {
        var graph = checkpoint.Graph;
        var consumers = new Dictionary<Layer, IReadOnlyList<LayerEdge>>(ReferenceEqualityComparer.Instance);
        var whyNone = new Dictionary<Layer, string>(ReferenceEqualityComparer.Instance);
        var unfollowed = new Dictionary<Layer, string>(ReferenceEqualityComparer.Instance);
        if (graph.Nodes.Count > 0)
        {
            OnnxEdges.Add(layers, checkpoint, consumers, whyNone, unfollowed);
        }
        else
        {
            ModelSequence.Add(layers, graph, consumers, whyNone, unfollowed);
            SequentialSiblings.Add(layers, graph, consumers, whyNone);
            var heads = new Lazy<AttentionHeads?>(() => AttentionHeads.Of(checkpoint));
            GraphConventions.Add(layers, consumers, whyNone, () => heads.Value);
        }
        return new LayerGraph(consumers, whyNone, unfollowed);
    }
}
