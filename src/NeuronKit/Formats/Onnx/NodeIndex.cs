using NeuronKit.Tensors;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// An ONNX graph's nodes by the values they read and write, and its constants by name: what it takes to find a run of
/// nodes an exporter wrote for one operator (<see cref="DecomposedLayerNorm"/>, <see cref="DecomposedGroupNorm"/>) and to
/// be sure nothing outside the run reads the values between them.
/// </summary>
internal sealed class NodeIndex
{
    private readonly Dictionary<string, TensorInfo> tensors;
    private readonly Dictionary<(string Graph, string Value), List<GraphNode>> readers = [];
    private readonly Dictionary<(string Graph, string Value), GraphNode> producers = [];
    private readonly IReadOnlySet<string> outputs;

    /// <summary>
    /// Indexes <paramref name="nodes"/>; <paramref name="tensors"/> are the file's (initializers and Constant values),
    /// <paramref name="rank"/> gives the rank the file declares for a value, or null; <paramref name="outputs"/> are the
    /// main graph's outputs.
    /// </summary>
    public NodeIndex(IReadOnlyList<GraphNode> nodes, IReadOnlyList<TensorInfo> tensors, Func<string, int?> rank, IReadOnlySet<string> outputs)
    {
        this.tensors = tensors.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        this.outputs = outputs;
        Rank = rank;
        foreach (var node in nodes)
        {
            foreach (string input in node.Inputs.Where(i => i != "").Distinct())
            {
                if (!readers.TryGetValue((node.Graph, input), out var list)) readers[(node.Graph, input)] = list = [];
                list.Add(node);
            }
            foreach (string output in node.Outputs.Where(o => o != "")) producers.TryAdd((node.Graph, output), node);
        }
    }

    /// <summary>The rank the file declares for a value of the main graph, or null.</summary>
    public Func<string, int?> Rank { get; }

    /// <summary>The nodes that read <paramref name="value"/>, none when no node does.</summary>
    public IReadOnlyList<GraphNode> Readers(string graph, string value) => readers.GetValueOrDefault((graph, value)) ?? [];

    /// <summary>The node that writes <paramref name="value"/>, or null for a graph input or a tensor of the file.</summary>
    public GraphNode? Producer(string graph, string value) => producers.GetValueOrDefault((graph, value));

    /// <summary>True when the main graph gives <paramref name="value"/> out.</summary>
    public bool IsOutput(string value) => outputs.Contains(value);

    /// <summary>The one node that reads a node's one output, an <paramref name="op"/> node, or null when none or several do, or the graph gives it out too.</summary>
    public GraphNode? OnlyReader(GraphNode of, string op) =>
        of.Outputs is [var output] && !outputs.Contains(output) && Readers(of.Graph, output) is [var only]
            && only.OpType == op && only.Domain is "" or "ai.onnx" ? only : null;

    /// <summary>A constant of the file, through the Identity nodes torch.onnx puts before a shared one, or null.</summary>
    public TensorInfo? Constant(string graph, string value)
    {
        for (int hop = 0; hop < 8; hop++)
        {
            if (tensors.GetValueOrDefault(value) is { } tensor) return tensor;
            if (Producer(graph, value) is not { OpType: "Identity" } identity || identity.Input(0) is not { } input) return null;
            value = input;
        }
        return null;
    }

    /// <summary>A constant's values when it is a real tensor (not complex) of at most <paramref name="most"/> values, else null.</summary>
    public double[]? Values(string graph, string? value, long most = 1) =>
        value is not null && Constant(graph, value) is { } t && t.ElementCount <= most && !t.DType.IsComplex() ? t.View().ToDoubles() : null;

    /// <summary>A scalar constant's value (one element of any shape), or null.</summary>
    public double? Scalar(string graph, string? value) => Values(graph, value) is [var only] ? only : null;

    /// <summary>The other operand of a binary node that reads <paramref name="value"/>, or null when the node reads it twice or not at all.</summary>
    public static string? Other(GraphNode node, string value) =>
        node.Inputs.Count == 2 && node.Input(0) is { } a && node.Input(1) is { } b && a != b ? (a == value ? b : b == value ? a : null) : null;

    /// <summary>
    /// The scope torch.onnx names a module's nodes by ("/encoder/layer.0/LayerNorm/" of ".../LayerNorm/ReduceMean"), when
    /// every node of the run has the same one; else null.
    /// </summary>
    public static string? Scope(IReadOnlyList<GraphNode> run)
    {
        string first = run[0].Name;
        int slash = first.LastIndexOf('/');
        if (slash < 0) return null;
        string scope = first[..(slash + 1)];
        return run.All(n => n.Name.StartsWith(scope, StringComparison.Ordinal) && n.Name.IndexOf('/', scope.Length) < 0) ? scope : null;
    }
}
