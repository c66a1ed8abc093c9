using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>A graph node seen by layer inference: its constant inputs (the file's tensors), its name and who reads its outputs.</summary>
internal sealed class NodeCandidate(GraphNode node, string name, Func<string, TensorInfo?> constant, Func<string, IReadOnlyList<GraphNode>> consumers,
    Func<string, GraphNode?> producer, QuantizedConstants quantized)
{
    /// <summary>The node.</summary>
    public GraphNode Node { get; } = node;

    /// <summary>The name its layer takes: the node's name, or its first output when the node has none or the name is taken.</summary>
    public string Name { get; } = name;

    /// <summary>The sentence a layer's evidence starts with: which node, which operator.</summary>
    public string Evidence => (Node.FusedFrom is [var first, .., var last]
            ? $"ONNX nodes '{first.LayerName}' to '{last.LayerName}' ({string.Join(", ", Node.FusedFrom.Select(n => n.LayerName[(n.LayerName.LastIndexOf('/') + 1)..]))}) compute {Node.FusedAs}"
            : $"ONNX node '{Node.LayerName}' is {Node.OpType}")
        + (Node.Graph == "" ? "" : $" (in subgraph {Node.Graph})");

    /// <summary>The tensor the file holds for input <paramref name="index"/> (an initializer or a Constant, through Identity nodes), or null.</summary>
    public TensorInfo? Constant(int index) => Node.Input(index) is { } input ? constant(input) : null;

    /// <summary>True when input <paramref name="index"/> is given but is not a constant: a value computed at run time.</summary>
    public bool IsComputed(int index) => Node.Input(index) is not null && Constant(index) is null;

    /// <summary>The nodes that read output <paramref name="index"/>.</summary>
    public IReadOnlyList<GraphNode> Consumers(int index) => index < Node.Outputs.Count ? consumers(Node.Outputs[index]) : [];

    /// <summary>The nodes that read value <paramref name="value"/>.</summary>
    public IReadOnlyList<GraphNode> Readers(string value) => consumers(value);

    /// <summary>The node that writes value <paramref name="value"/>, or null for a graph input or a tensor of the file.</summary>
    public GraphNode? Producer(string value) => producer(value);

    /// <summary>The tensor named <paramref name="value"/> as another node's input would see it, or null.</summary>
    public TensorInfo? ConstantNamed(string value) => constant(value);

    /// <summary>The graph's dequantized constants: for operators that read their weights as integers with scales and zero points.</summary>
    public QuantizedConstants Quantized { get; } = quantized;
}
