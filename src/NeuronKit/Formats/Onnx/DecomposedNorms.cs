using NeuronKit.Tensors;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// The norms torch.onnx writes as several nodes where the opset has no operator for them (<see cref="DecomposedLayerNorm"/>
/// before opset 17, <see cref="DecomposedGroupNorm"/> before opset 18, <see cref="DecomposedRmsNorm"/> before opset 23),
/// each read as the one node a later opset writes.
/// A run of the main graph is fused only where each value between its nodes is read inside the run alone (no other node,
/// no graph output); the file's own nodes are kept (<see cref="GraphNode.FusedFrom"/>) for the evidence.
/// </summary>
internal static class DecomposedNorms
{
    /// <summary>
    /// <paramref name="nodes"/> with each decomposed norm replaced by one node where the first node of its run stood.
    /// <paramref name="tensors"/> are the file's (initializers and Constant values); <paramref name="rank"/> gives the
    /// rank the file declares for a value, or null; <paramref name="outputs"/> are the main graph's outputs.
    /// </summary>
    public static IReadOnlyList<GraphNode> Fuse(IReadOnlyList<GraphNode> nodes, IReadOnlyList<TensorInfo> tensors, Func<string, int?> rank,
        IReadOnlySet<string> outputs)
    {
        if (!nodes.Any(n => n.Graph == "" && n.OpType is "ReduceMean" or "InstanceNormalization")) return nodes;
        var index = new NodeIndex(nodes, tensors, rank, outputs);
        var position = new Dictionary<GraphNode, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < nodes.Count; i++) position.TryAdd(nodes[i], i);
        var replaced = new Dictionary<GraphNode, GraphNode?>(ReferenceEqualityComparer.Instance);
        foreach (var node in nodes.Where(n => n.Graph == "" && !replaced.ContainsKey(n)))
        {
            var match = node.OpType switch
            {
                "ReduceMean" => DecomposedLayerNorm.Match(node, index) ?? DecomposedRmsNorm.Match(node, index),
                "InstanceNormalization" => DecomposedGroupNorm.Match(node, index),
                _ => null,
            };
            if (match is not { } found || found.Run.Any(replaced.ContainsKey)) continue;
            var first = found.Run.MinBy(n => position[n])!;
            foreach (var member in found.Run) replaced[member] = ReferenceEquals(member, first) ? found.Fused : null;
        }
        return replaced.Count == 0 ? nodes : [.. nodes.Select(n => replaced.TryGetValue(n, out var fused) ? fused : n).OfType<GraphNode>()];
    }
}
