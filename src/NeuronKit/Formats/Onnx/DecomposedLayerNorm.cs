using NeuronKit.Tensors;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// A LayerNorm as torch.onnx writes it before opset 17, which has no LayerNormalization operator: nine nodes,
/// <c>d = Sub(x, ReduceMean(x)); y = Div(d, Sqrt(Add(ReduceMean(Pow(d, 2)), eps))); out = Add(Mul(y, scale), bias)</c>,
/// the means over the trailing axes (torch/onnx/symbolic_opset9.py, native_layer_norm). Each such run becomes one
/// LayerNormalization node (X, Scale, B, axis the first axis normalized), so its scale and bias read as a LayerNorm layer
/// and a neuron's channel j passes through it, its entry j on the way, as through opset 17's operator. A run of the main
/// graph is fused only where each value between its nodes is read inside the run alone (no other node, no graph output);
/// the names of the file's own nodes are kept (<see cref="GraphNode.FusedFrom"/>) for the evidence.
/// </summary>
internal static class DecomposedLayerNorm
{
    /// <summary>
    /// <paramref name="nodes"/> with each decomposed LayerNorm replaced by one LayerNormalization node where its first node
    /// stood. <paramref name="tensors"/> are the file's (initializers and Constant values); <paramref name="rank"/> gives the
    /// rank the file declares for a value, or null; <paramref name="outputs"/> are the main graph's outputs.
    /// </summary>
    public static IReadOnlyList<GraphNode> Fuse(IReadOnlyList<GraphNode> nodes, IReadOnlyList<TensorInfo> tensors, Func<string, int?> rank,
        IReadOnlySet<string> outputs)
    {
        if (!nodes.Any(n => n.OpType == "ReduceMean" && n.Graph == "")) return nodes;
        var byName = tensors.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var readers = new Dictionary<(string Graph, string Value), List<GraphNode>>();
        var producers = new Dictionary<(string Graph, string Value), GraphNode>();
        foreach (var node in nodes)
        {
            foreach (string input in node.Inputs.Where(i => i != "").Distinct())
            {
                if (!readers.TryGetValue((node.Graph, input), out var list)) readers[(node.Graph, input)] = list = [];
                list.Add(node);
            }
            foreach (string output in node.Outputs.Where(o => o != "")) producers.TryAdd((node.Graph, output), node);
        }
        var replaced = new Dictionary<GraphNode, GraphNode?>(ReferenceEqualityComparer.Instance);
        foreach (var mean in nodes.Where(n => n.OpType == "ReduceMean" && n.Graph == "" && !replaced.ContainsKey(n)))
            if (Match(mean) is { } run)
                for (int i = 0; i < run.Nodes.Count; i++) replaced[run.Nodes[i]] = i == 0 ? run.Fused : null;
        return replaced.Count == 0 ? nodes : [.. nodes.Select(n => replaced.TryGetValue(n, out var fused) ? fused : n).OfType<GraphNode>()];

        // The one node that reads a node's output, an op node, or null when none or several do, or the graph gives it out too.
        GraphNode? OnlyReader(GraphNode of, string op)
        {
            var list = of.Outputs is [var output] && !outputs.Contains(output) ? readers.GetValueOrDefault((of.Graph, output)) : null;
            return list is [var only] && only.OpType == op && only.Domain is "" or "ai.onnx" ? only : null;
        }

        // A constant of the file, through the Identity nodes torch.onnx puts before a shared one.
        TensorInfo? Constant(string graph, string value)
        {
            for (int hop = 0; hop < 8; hop++)
            {
                if (byName.GetValueOrDefault(value) is { } tensor) return tensor;
                if (producers.GetValueOrDefault((graph, value)) is not { OpType: "Identity" } identity || identity.Input(0) is not { } input) return null;
                value = input;
            }
            return null;
        }

        double? Scalar(string graph, string? value) =>
            value is not null && Constant(graph, value) is { ElementCount: 1 } t && t.DType.IsFloatingPoint() ? t.View().ToDoubles()[0] : null;

        // The other operand of a binary node that reads value, or null when the node reads value twice or not at all.
        string? Other(GraphNode node, string value) =>
            node.Inputs.Count == 2 && node.Input(0) is { } a && node.Input(1) is { } b && a != b ? (a == value ? b : b == value ? a : null) : null;

        (IReadOnlyList<GraphNode> Nodes, GraphNode Fused)? Match(GraphNode mean)
        {
            string graph = mean.Graph;
            if (mean.Input(0) is not { } x || mean.Outputs.Count != 1 || Axes(mean) is not { Count: > 0 } axes || mean.Int("keepdims", 1) != 1
                || Trailing(axes, rank(x)) is not { } normalized)
                return null;
            if (OnlyReader(mean, "Sub") is not { } sub || sub.Input(0) != x || sub.Input(1) != mean.Outputs[0] || sub.Outputs is not [var d])
                return null;
            if (outputs.Contains(d) || readers.GetValueOrDefault((graph, d)) is not [var first, var second]) return null;
            var (square, div) = first.OpType == "Div" ? (second, first) : (first, second);
            bool squares = square.OpType == "Pow" && square.Input(0) == d && Scalar(graph, square.Input(1)) == 2
                || square.OpType == "Mul" && square.Input(0) == d && square.Input(1) == d;
            if (!squares || div.OpType != "Div" || div.Input(0) != d) return null;
            if (OnlyReader(square, "ReduceMean") is not { } variance || variance.Int("keepdims", 1) != 1
                || Axes(variance) is not { } varianceAxes || !varianceAxes.SequenceEqual(axes))
                return null;
            if (OnlyReader(variance, "Add") is not { } addEps || Scalar(graph, Other(addEps, variance.Outputs[0])) is not { } epsilon) return null;
            if (OnlyReader(addEps, "Sqrt") is not { } sqrt || OnlyReader(sqrt, "Div") != div || div.Input(1) != sqrt.Outputs[0]) return null;
            if (OnlyReader(div, "Mul") is not { Outputs.Count: 1 } mul || Other(mul, div.Outputs[0]) is not { } scaleName
                || Constant(graph, scaleName) is not { } scale || scale.Shape.Count != normalized)
                return null;
            List<GraphNode> run = [mean, sub, square, variance, addEps, sqrt, div, mul];
            string? biasName = null;
            if (OnlyReader(mul, "Add") is { } addBias && Other(addBias, mul.Outputs[0]) is { } candidate
                && Constant(graph, candidate) is { } bias && bias.Shape.SequenceEqual(scale.Shape))
            {
                run.Add(addBias);
                biasName = candidate;
            }
            var last = run[^1];
            return (run, new GraphNode
            {
                Name = Scope(run) is { } scope ? $"{scope}LayerNormalization" : last.Name,
                OpType = "LayerNormalization",
                Inputs = biasName is null ? [x, scaleName] : [x, scaleName, biasName],
                Outputs = [last.Outputs[0]],
                Ints = new Dictionary<string, long> { ["axis"] = -normalized },
                Floats = new Dictionary<string, double> { ["epsilon"] = epsilon },
                Graph = graph,
                FusedFrom = [.. run.Select(n => n.LayerName)],
            });
        }
    }

    // A ReduceMean's axes, an attribute until opset 18 (from which LayerNormalization is an operator of its own).
    private static IReadOnlyList<long>? Axes(GraphNode node) => node.IntLists.GetValueOrDefault("axes");

    // How many trailing axes `axes` are (-2, -1: two), or null when they are not the last ones; positive axes need the
    // input's rank to say so.
    private static int? Trailing(IReadOnlyList<long> axes, int? rank)
    {
        var sorted = axes.Select(a => a < 0 ? a : rank is { } r ? a - r : long.MaxValue).Order().ToList();
        for (int i = 0; i < sorted.Count; i++)
            if (sorted[i] != i - sorted.Count) return null;
        return sorted.Count;
    }

    // The scope torch.onnx names a module's nodes by ("/encoder/layer.0/LayerNorm/" of ".../LayerNorm/ReduceMean"), when
    // every node of the run has the same one.
    private static string? Scope(IReadOnlyList<GraphNode> run)
    {
        string first = run[0].Name;
        int slash = first.LastIndexOf('/');
        if (slash < 0) return null;
        string scope = first[..(slash + 1)];
        return run.All(n => n.Name.StartsWith(scope, StringComparison.Ordinal) && n.Name.IndexOf('/', scope.Length) < 0) ? scope : null;
    }
}
