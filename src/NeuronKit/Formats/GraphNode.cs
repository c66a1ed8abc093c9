namespace NeuronKit.Formats;

/// <summary>
/// One operation of a model graph (an ONNX node): what it computes and which named values it reads and writes.
/// Layer inference reads it as evidence: a Conv node says which tensor is a convolution weight, and how it is grouped.
/// </summary>
public sealed record GraphNode
{
    /// <summary>The node's name in the file; may be empty.</summary>
    public required string Name { get; init; }

    /// <summary>The operator (<c>Conv</c>, <c>Gemm</c>, <c>LSTM</c>).</summary>
    public required string OpType { get; init; }

    /// <summary>The operator set's domain; empty for the default ONNX domain.</summary>
    public string Domain { get; init; } = "";

    /// <summary>The values the node reads, in the operator's input order; an empty name is an omitted optional input.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>The values the node writes.</summary>
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>Integer attributes (<c>group</c>, <c>transB</c>, <c>hidden_size</c>).</summary>
    public IReadOnlyDictionary<string, long> Ints { get; init; } = new Dictionary<string, long>();

    /// <summary>Integer list attributes (<c>perm</c>, <c>axes</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> IntLists { get; init; } = new Dictionary<string, IReadOnlyList<long>>();

    /// <summary>Float attributes (<c>alpha</c>, <c>epsilon</c>).</summary>
    public IReadOnlyDictionary<string, double> Floats { get; init; } = new Dictionary<string, double>();

    /// <summary>String attributes (<c>direction</c>).</summary>
    public IReadOnlyDictionary<string, string> Strings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the node sits: empty for the main graph, else the path of subgraphs (<c>If_3/then_branch</c>).</summary>
    public string Graph { get; init; } = "";

    /// <summary>
    /// The file's nodes this one stands for (a LayerNorm torch.onnx wrote as nine nodes before opset 17:
    /// <see cref="Onnx.DecomposedNorms"/>), for the evidence and for a prune that changes what they read; empty for a node of the file.
    /// </summary>
    public IReadOnlyList<GraphNode> FusedFrom { get; init; } = [];

    /// <summary>What the nodes of <see cref="FusedFrom"/> compute together, as evidence says it ("a LayerNormalization over the last axis, …").</summary>
    public string FusedAs { get; init; } = "";

    /// <summary>Input <paramref name="index"/>, or null when the node omits it.</summary>
    public string? Input(int index) => index < Inputs.Count && Inputs[index] != "" ? Inputs[index] : null;

    /// <summary>Integer attribute <paramref name="name"/>, or <paramref name="fallback"/> (the operator's default) when absent.</summary>
    public long Int(string name, long fallback) => Ints.TryGetValue(name, out long value) ? value : fallback;

    /// <summary>The name a layer made of this node takes: the node's name, or its first output when it has none.</summary>
    public string LayerName => Name != "" ? Name : Outputs.FirstOrDefault(o => o != "") ?? "";
}
