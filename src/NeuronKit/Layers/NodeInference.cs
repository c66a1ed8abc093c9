using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// Layers from a graph's nodes: each node whose operator a kind reads, and whose weights are constants in the file, is a
/// layer named by the node. This is the strongest evidence a file can give, so it comes before names and shapes.
/// </summary>
internal static class NodeInference
{
    // How many Identity nodes may stand between a weight and the node reading it (exporters alias shared weights so).
    private const int MaxIdentityChain = 8;

    /// <summary>The layers the nodes of <paramref name="checkpoint"/>'s graph make, in node order.</summary>
    public static List<Layer> Infer(Checkpoint checkpoint)
    {
        var nodes = checkpoint.Graph.Nodes;
        List<Layer> layers = [];
        if (nodes.Count == 0) return layers;
        var producers = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<GraphNode>>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (string output in node.Outputs.Where(o => o != "")) producers.TryAdd(output, node);
            foreach (string input in node.Inputs.Where(i => i != "").Distinct())
            {
                if (!consumers.TryGetValue(input, out var readers)) consumers[input] = readers = [];
                readers.Add(node);
            }
        }
        var quantized = new QuantizedConstants(checkpoint);
        TensorInfo? Constant(string value)
        {
            for (int step = 0; step <= MaxIdentityChain; step++)
            {
                if (checkpoint.Find(value) is { } tensor) return tensor;
                if (!producers.TryGetValue(value, out var producer)) return null;
                // A constant stored as integers and dequantized (ONNX Runtime's QDQ format) is a constant of its values.
                if (producer is { OpType: "DequantizeLinear", Domain: "" or "ai.onnx" })
                    return quantized.FromDequantizeLinear(producer, Constant);
                if (producer.OpType != "Identity" || producer.Input(0) is not { } source) return null;
                value = source;
            }
            return null;
        }
        IReadOnlyList<GraphNode> Readers(string value) => consumers.TryGetValue(value, out var readers) ? readers : [];

        var kinds = LayerKinds.Operators;
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.Domain is not ("" or "ai.onnx") || !kinds.TryGetValue(node.OpType, out var kind)) continue;
            string name = taken.Contains(node.LayerName) ? node.Outputs.FirstOrDefault(o => o != "") ?? node.LayerName : node.LayerName;
            if (kind.FromNode(new NodeCandidate(node, name, Constant, Readers, v => producers.GetValueOrDefault(v), quantized)) is not { } made) continue;
            foreach (var layer in made.Select(l => WithQuantization(l, quantized)))
            {
                taken.Add(layer.Name);
                layers.Add(layer);
            }
        }
        return layers;
    }

    // A layer whose weight or bias the graph dequantizes keeps the scales and zero points it takes (read by no neuron),
    // and says how each was dequantized.
    private static Layer WithQuantization(Layer layer, QuantizedConstants quantized)
    {
        var operands = layer.Tensors.Select(t => (t.Role, Operand: quantized.Operand(t.Tensor))).Where(o => o.Operand is not null).ToList();
        if (operands.Count == 0) return layer;
        var kept = layer.Tensors.Select(t => t.Tensor.Name).ToHashSet(StringComparer.Ordinal);
        List<LayerTensor> parameters = [];
        foreach (var (role, operand) in operands)
            foreach (var parameter in operand!.Parameters.Where(p => kept.Add(p.Tensor.Name)))
                parameters.Add(new LayerTensor($"{role}_{parameter.Role}", parameter.Tensor));
        return layer.Copy(tensorsAfter: parameters, evidenceAfter: operands.Select(o => o.Operand!.Evidence));
    }
}
