using NeuronKit.Formats;
using NeuronKit.Graph;

namespace NeuronKit.Activations;

/// <summary>
/// The graph value that holds a layer's output: its node's output (a MatMul's after the Add of its bias), or with
/// <c>post</c> the output of the activation function that reads it.
/// </summary>
/// <param name="Layer">The layer's name, as the user gave it.</param>
/// <param name="Node">The node that computes the layer.</param>
/// <param name="Value">The graph value to expose.</param>
/// <param name="Axis">Where the neurons sit in that value.</param>
/// <param name="Activation">The activation function's node, for <c>post</c>; null otherwise.</param>
/// <param name="Direction">For one direction of a bidirectional recurrent node (<c>/lstm/LSTM.reverse</c>), its index in Y's
/// directions axis; its neurons are then that direction's H. Null for the whole node, whose neurons are d·H + h.</param>
public sealed record LayerOutput(string Layer, GraphNode Node, string Value, NeuronAxis Axis, GraphNode? Activation, int? Direction = null)
{
    private static readonly HashSet<string> Recurrent = new(StringComparer.Ordinal) { "LSTM", "GRU", "RNN" };

    /// <summary>Finds layer <paramref name="name"/>'s node in <paramref name="model"/> and the value to read.</summary>
    public static LayerOutput Resolve(Model model, string name, bool post)
    {
        var main = model.Checkpoint.Graph.Nodes.Where(n => n.Graph == "").ToList();
        if (main.Count == 0)
            throw new RequestException($"{model.Checkpoint.FileName} has no graph to run; neuron act runs ONNX models");
        var (node, direction) = main.FirstOrDefault(n => n.LayerName == name) is { } named ? (named, null) : NodeOfLayer(model, main, name);
        var axis = AxisOf(main, node);
        string value = node.Outputs[0];
        // nn.Linear on [N, T, F] exports as MatMul, then Add of the bias: the layer's output is the sum.
        if (node.OpType == "MatMul" && Readers(main, value) is [{ OpType: "Add" } add]
            && add.Inputs.FirstOrDefault(i => i != value) is { } bias && model.Checkpoint.Find(bias) is not null)
            value = add.Outputs[0];
        if (!post) return new LayerOutput(name, node, value, axis, null, direction);
        var readers = Readers(main, value);
        if (readers is [var activation] && ActivationFunctions.Is(activation.OpType, activation.Domain))
            return new LayerOutput(name, node, activation.Outputs[0], axis, activation, direction);
        string what = readers.Count == 0 ? "is read by no node (it is a graph output)"
            : $"goes to {string.Join(", ", readers.Select(r => $"{r.OpType} ({r.LayerName})"))}";
        throw new RequestException($"--post: {name}'s output {what}, not to one activation function; there is nothing after the layer to show",
            ["leave out --post for the layer's own output"]);
    }

    // Where the node's output holds its neurons, the ones neuron layers counts: on the axis OnnxChannelAxis gives its operator
    // (a BatchNormalization's channels on axis 1, as a Conv's; a LayerNormalization's first normalized axis); a recurrent
    // node's Y has a layout of its own. A node that keeps its input's channels (a PRelu, a MaxPool) has the layout of the
    // value it reads; the last axis when nothing says.
    private static NeuronAxis AxisOf(List<GraphNode> main, GraphNode node)
    {
        for (int steps = 0; steps <= main.Count; steps++) // a malformed graph may loop
        {
            if (Recurrent.Contains(node.OpType)) return NeuronAxis.Recurrent;
            if (OnnxChannelAxis.AxisOf(node) is { } axis) return NeuronAxis.Along(axis);
            if (!OnnxEdges.KeepsChannels(node) || node.Input(0) is not { } input
                || main.FirstOrDefault(n => n.Outputs.Contains(input)) is not { } producer)
                break;
            node = producer;
        }
        return NeuronAxis.Last;
    }

    private static List<GraphNode> Readers(List<GraphNode> nodes, string value) => nodes.Where(n => n.Inputs.Contains(value)).ToList();

    // A name neuron layers lists that is not a node's (a recurrent layer's direction, a tensor's name): its node, if any.
    private static (GraphNode Node, int? Direction) NodeOfLayer(Model model, List<GraphNode> main, string name)
    {
        var layer = model.Layer(name);
        var node = main.FirstOrDefault(n => layer.Aliases.Count > 0 && n.Outputs.Count > 0 && n.Outputs[0] == layer.Aliases[0])
            ?? main.FirstOrDefault(n => n.LayerName == layer.Module || n.LayerName == layer.Name);
        return node is not null ? (node, layer.Module is not null ? layer.StackIndex : null) : throw new RequestException($"{name} is a layer of the file but no node of its graph computes it; neuron act runs a node's output",
            [$"the graph's nodes: {string.Join(", ", main.Take(8).Select(n => n.LayerName))}{(main.Count > 8 ? ", …" : "")}"]);
    }
}
