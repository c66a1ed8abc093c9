using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>
/// The consumers an ONNX graph's edges give: from a layer's output value, forward through the operations that keep channels
/// apart (activations, pooling, Dropout, Identity, a bias or scale by a constant, a residual Add of two branches, Flatten and
/// Reshape, a channel Concat), to the next layers that read it as their data input; a per-channel layer (BatchNormalization)
/// on the way is passed through. An operation that mixes channels in ways no slice describes (a Transpose, Softmax, a
/// MatMul of two computed values) ends the path, and the reason is kept for the error.
/// </summary>
internal static class OnnxEdges
{
    // Operations whose output channel j is a function of input channel j alone (elementwise, spatial or a no-op).
    private static readonly HashSet<string> ChannelWise = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "Gelu", "HardSigmoid", "HardSwish", "Softplus",
        "Softsign", "Mish", "Clip", "Erf", "Abs", "Neg", "Sqrt", "Exp", "Log", "Dropout", "Identity", "Cast", "MaxPool",
        "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "Pad", "Resize", "Upsample", "QuantizeLinear",
        "DequantizeLinear",
    };

    // Binary operations: channel-wise when the other operand is a constant (a bias, a scale) or another branch of the same
    // channels (a residual Add).
    private static readonly HashSet<string> Binary = new(StringComparer.Ordinal) { "Add", "Sub", "Mul", "Div" };

    // Operations that lay channels out flat, channel by channel (NCHW → N × C·H·W): a consumer then reads S inputs per channel.
    private static readonly HashSet<string> Flattening = new(StringComparer.Ordinal) { "Flatten", "Reshape" };

    private const int MaxSteps = 10_000;

    // A path from the producer: the value reached, the per-channel layers and operations on the way, where its channels sit
    // among what the next layer reads, and whether a residual Add merged another branch into it.
    private sealed record Step(string Value, IReadOnlyList<Layer> Through, IReadOnlyList<string> Ops, long Offset, long Channels, bool Residual = false);

    public static void Add(IReadOnlyList<Layer> layers, Checkpoint checkpoint, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers,
        Dictionary<Layer, string> whyNone)
    {
        var graph = checkpoint.Graph;
        var byOutput = new Dictionary<string, Layer>(StringComparer.Ordinal);
        foreach (var layer in layers)
            foreach (string alias in layer.Aliases)
                byOutput.TryAdd(alias, layer);
        var readers = new Dictionary<string, List<GraphNode>>(StringComparer.Ordinal);
        var producers = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes.Where(n => n.Graph == ""))
        {
            foreach (string output in node.Outputs.Where(o => o != "")) producers.TryAdd(output, node);
            foreach (string input in node.Inputs.Where(i => i != "").Distinct())
            {
                if (!readers.TryGetValue(input, out var list)) readers[input] = list = [];
                list.Add(node);
            }
        }
        // A value the graph computes at run time (a graph input too), not a constant: a second such operand of an Add is a
        // branch of its own (a residual shortcut), not a bias.
        bool Computed(string value) => checkpoint.Find(value) is null && !(producers.TryGetValue(value, out var p) && p.OpType == "Constant");
        Layer? LayerOf(GraphNode node) => node.Outputs.Count > 0 && byOutput.TryGetValue(node.Outputs[0], out var l) ? l : null;

        foreach (var producer in layers.Where(l => l.Aliases.Count > 0 && l.NeuronCount > 0))
        {
            if (!producers.TryGetValue(producer.Aliases[0], out var node) || node.Outputs[0] != producer.Aliases[0]) continue;
            var (edges, why) = Walk(producer, node, readers, producers, byOutput, LayerOf, Computed);
            if (edges.Count > 0) consumers[producer] = edges;
            else whyNone[producer] = why;
        }
    }

    private static (List<LayerEdge> Edges, string Why) Walk(Layer producer, GraphNode start, Dictionary<string, List<GraphNode>> readers,
        Dictionary<string, GraphNode> producers, Dictionary<string, Layer> byOutput, Func<GraphNode, Layer?> layerOf, Func<string, bool> computed)
    {
        List<LayerEdge> edges = [];
        List<string> stops = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Step>();
        pending.Push(new Step(start.Outputs[0], [], [], 0, producer.NeuronCount));
        int steps = 0;
        while (pending.TryPop(out var step) && ++steps < MaxSteps)
        {
            if (!seen.Add(step.Value)) continue;
            var next = readers.GetValueOrDefault(step.Value) ?? [];
            if (next.Count == 0) stops.Add($"{step.Value} is an output of the model");
            foreach (var node in next)
            {
                var layer = layerOf(node);
                if (layer == producer) // its own bias Add (MatMul + Add is one layer)
                {
                    Continue(pending, step, node, step.Ops);
                    continue;
                }
                if (layer is not null && node.Input(0) == step.Value)
                {
                    if (layer.Implementation.PassesChannels && layer.NeuronCount == step.Channels)
                    {
                        pending.Push(step with { Value = node.Outputs[0], Through = [.. step.Through, layer], Ops = [.. step.Ops, node.OpType] });
                        continue;
                    }
                    string path = string.Join(" → ", [producer.Name, .. step.Ops, layer.Name]);
                    var edge = LayerGraph.Fit(producer, layer, step.Through, $"ONNX graph: {path}", assumed: false, step.Channels);
                    if (edge is null) stops.Add($"{layer.Name} ({layer.Kind}) reads {step.Value}, but its inputs do not fit {step.Channels} channels");
                    else edges.Add(edge with { Map = edge.Map with { Offset = edge.Map.Offset + step.Offset * edge.Map.Spread }, Residual = step.Residual });
                    continue;
                }
                if (ChannelWise.Contains(node.OpType) && node.Input(0) == step.Value)
                    Continue(pending, step, node, [.. step.Ops, node.OpType]);
                else if (Binary.Contains(node.OpType) && node.Inputs.Count(i => i != "" && computed(i)) > 1)
                    Continue(pending, step with { Residual = true }, node, [.. step.Ops, $"{node.OpType} (residual)"]);
                else if (Binary.Contains(node.OpType))
                    Continue(pending, step, node, [.. step.Ops, node.OpType]);
                else if (Flattening.Contains(node.OpType) && node.Input(0) == step.Value)
                    Continue(pending, step, node, [.. step.Ops, node.OpType]);
                else if (node.OpType == "Concat" && ConcatOffset(node, step.Value, producers, byOutput) is { } concat)
                    pending.Push(step with { Value = node.Outputs[0], Ops = [.. step.Ops, "Concat"], Offset = step.Offset + concat.Offset, Channels = concat.Total });
                else
                    stops.Add($"{node.OpType} node '{node.LayerName}' reads it, and NeuronKit does not follow channels through {node.OpType}");
            }
        }
        return (edges, stops.Count == 0 ? "the graph says of no layer that reads its output" : string.Join("; ", stops.Distinct()));
    }

    private static void Continue(Stack<Step> pending, Step step, GraphNode node, IReadOnlyList<string> ops)
    {
        if (node.Outputs.Count > 0 && node.Outputs[0] != "") pending.Push(step with { Value = node.Outputs[0], Ops = ops });
    }

    // Where `value` starts among a channel Concat's inputs, and how many channels it has in all; null when an input's channel
    // count is unknown (it is not a layer's output through channel-wise operations) or the axis is not the channel axis.
    private static (long Offset, long Total)? ConcatOffset(GraphNode concat, string value, Dictionary<string, GraphNode> producers,
        Dictionary<string, Layer> byOutput)
    {
        if (concat.Int("axis", 1) is not (1 or -1)) return null;
        long offset = 0, total = 0;
        bool found = false;
        foreach (string input in concat.Inputs)
        {
            if (Channels(input, producers, byOutput) is not { } channels) return null;
            if (input == value && !found)
            {
                offset = total;
                found = true;
            }
            total += channels;
        }
        return found ? (offset, total) : null;
    }

    // The channels of a value: the neurons of the layer it comes from, back through channel-wise operations.
    private static long? Channels(string value, Dictionary<string, GraphNode> producers, Dictionary<string, Layer> byOutput)
    {
        for (int step = 0; step < 64; step++)
        {
            if (byOutput.TryGetValue(value, out var layer)) return layer.NeuronCount;
            if (!producers.TryGetValue(value, out var node) || !ChannelWise.Contains(node.OpType) || node.Input(0) is not { } input) return null;
            value = input;
        }
        return null;
    }
}
