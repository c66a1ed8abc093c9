using NeuronKit.Tensors;
using AttributeProto = global::Onnx.AttributeProto;
using GraphProto = global::Onnx.GraphProto;
using NodeProto = global::Onnx.NodeProto;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// Walks the main graph and every subgraph (If/Loop/Scan bodies) without recursion: collects initializers and
/// Constant-node values as tensors, and every node as a <see cref="GraphNode"/>. Depth is bounded by <see cref="OnnxWireIndex"/>.
/// </summary>
internal sealed class OnnxGraphWalker(OnnxTensorBuilder builder)
{
    /// <summary>The tensors, in file order: a graph's initializers, then its Constant nodes' values, then its subgraphs'.</summary>
    public List<TensorInfo> Tensors { get; } = [];

    /// <summary>The nodes of every graph, main graph first.</summary>
    public List<GraphNode> Nodes { get; } = [];

    /// <summary>Walks <paramref name="main"/> and the subgraphs it holds.</summary>
    public void Walk(GraphProto main)
    {
        var pending = new Queue<(GraphProto Graph, string Path)>();
        pending.Enqueue((main, ""));
        while (pending.TryDequeue(out var item))
        {
            var (graph, path) = item;
            foreach (var initializer in graph.Initializer)
                Add(builder.Build(initializer, initializer.Name));
            foreach (var node in graph.Node)
            {
                Nodes.Add(Describe(node, path));
                if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx" && node.Output.Count > 0)
                    Add(Constant(node));
                string where = path == "" ? Name(node) : $"{path}/{Name(node)}";
                foreach (var attribute in node.Attribute)
                {
                    if (attribute.G is not null) pending.Enqueue((attribute.G, $"{where}/{attribute.Name}"));
                    for (int i = 0; i < attribute.Graphs.Count; i++) pending.Enqueue((attribute.Graphs[i], $"{where}/{attribute.Name}[{i}]"));
                }
            }
        }
    }

    // A Constant's value, whichever attribute gives it (https://onnx.ai/onnx/operators/onnx__Constant.html): a tensor, a
    // float or int (shape []), a list of them (shape [n]), or a sparse tensor; strings are not read, and are listed with
    // the other tensors not read, as a STRING initializer is. value_float(s) arrive as t, a tensor whose bytes
    // OnnxWireIndex found in the file; the integers are varints, decoded here.
    private TensorInfo? Constant(NodeProto node)
    {
        string name = node.Output[0];
        foreach (var attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "value" or "value_float" or "value_floats" when attribute.T is not null:
                    return builder.Build(attribute.T, name);
                case "value_float":
                    return OnnxTensorBuilder.FromAttribute(name, DType.Float32, [], BitConverter.GetBytes(attribute.F), attribute.Name);
                case "value_int":
                    return OnnxTensorBuilder.FromAttribute(name, DType.Int64, [], BitConverter.GetBytes(attribute.I), attribute.Name);
                case "value_ints":
                    return OnnxTensorBuilder.FromAttribute(name, DType.Int64, [attribute.Ints.Count],
                        [.. System.Runtime.InteropServices.MemoryMarshal.AsBytes<long>([.. attribute.Ints])], attribute.Name);
                case "sparse_value" when attribute.SparseTensor is not null:
                    return builder.BuildSparse(attribute.SparseTensor, name);
                case "value_string" or "value_strings":
                    builder.Skipped.Add((name, "STRING"));
                    return null;
            }
        }
        return null;
    }

    private void Add(TensorInfo? tensor)
    {
        if (tensor is not null) Tensors.Add(tensor);
    }

    private static string Name(NodeProto node) => node.Name != "" ? node.Name : node.Output.FirstOrDefault() ?? node.OpType;

    private static GraphNode Describe(NodeProto node, string path) => new()
    {
        Name = node.Name,
        OpType = node.OpType,
        Domain = node.Domain,
        Inputs = [.. node.Input],
        Outputs = [.. node.Output],
        Ints = Attributes(node, AttributeProto.Types.AttributeType.Int, a => a.I),
        IntLists = Attributes(node, AttributeProto.Types.AttributeType.Ints, a => (IReadOnlyList<long>)[.. a.Ints]),
        Floats = Attributes(node, AttributeProto.Types.AttributeType.Float, a => (double)a.F),
        Strings = Attributes(node, AttributeProto.Types.AttributeType.String, a => a.S.ToStringUtf8()),
        Graph = path,
    };

    // An attribute's type is set by every writer since IR 2; older files leave it 0, so a set value field decides then.
    private static Dictionary<string, T> Attributes<T>(NodeProto node, AttributeProto.Types.AttributeType type, Func<AttributeProto, T> value)
    {
        var found = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            bool isType = attribute.Type == type || (attribute.Type == AttributeProto.Types.AttributeType.Undefined && type switch
            {
                AttributeProto.Types.AttributeType.Int => attribute.HasI,
                AttributeProto.Types.AttributeType.Float => attribute.HasF,
                AttributeProto.Types.AttributeType.Ints => attribute.Ints.Count > 0,
                _ => attribute.HasS,
            });
            if (isType) found[attribute.Name] = value(attribute);
        }
        return found;
    }
}
