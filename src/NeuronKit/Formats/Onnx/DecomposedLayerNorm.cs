namespace NeuronKit.Formats.Onnx;

/// <summary>
/// A LayerNorm as torch.onnx writes it before opset 17, which has no LayerNormalization operator: nine nodes,
/// <c>d = Sub(x, ReduceMean(x)); y = Div(d, Sqrt(Add(ReduceMean(Pow(d, 2)), eps))); out = Add(Mul(y, scale), bias)</c>,
/// the means over the trailing axes (torch/onnx/symbolic_opset9.py, native_layer_norm). Such a run stands for one
/// LayerNormalization node (X, Scale, B, axis the first axis normalized), so its scale and bias read as a LayerNorm layer
/// and a neuron's channel j passes through it, its entry j on the way, as through opset 17's operator.
/// </summary>
internal static class DecomposedLayerNorm
{
    /// <summary>The run of nodes from <paramref name="mean"/> (a ReduceMean) that computes a LayerNorm, and the node it stands for; else null.</summary>
    public static (IReadOnlyList<GraphNode> Run, GraphNode Fused)? Match(GraphNode mean, NodeIndex index)
    {
        string graph = mean.Graph;
        if (mean.Input(0) is not { } x || mean.Outputs.Count != 1 || Axes(mean) is not { Count: > 0 } axes || mean.Int("keepdims", 1) != 1
            || Trailing(axes, index.Rank(x)) is not { } normalized)
            return null;
        if (index.OnlyReader(mean, "Sub") is not { } sub || sub.Input(0) != x || sub.Input(1) != mean.Outputs[0] || sub.Outputs is not [var d])
            return null;
        if (index.IsOutput(d) || index.Readers(graph, d) is not [var first, var second]) return null;
        var (square, div) = first.OpType == "Div" ? (second, first) : (first, second);
        bool squares = square.OpType == "Pow" && square.Input(0) == d && index.Scalar(graph, square.Input(1)) == 2
            || square.OpType == "Mul" && square.Input(0) == d && square.Input(1) == d;
        if (!squares || div.OpType != "Div" || div.Input(0) != d) return null;
        if (index.OnlyReader(square, "ReduceMean") is not { } variance || variance.Int("keepdims", 1) != 1
            || Axes(variance) is not { } varianceAxes || !varianceAxes.SequenceEqual(axes))
            return null;
        if (index.OnlyReader(variance, "Add") is not { } addEps || index.Scalar(graph, NodeIndex.Other(addEps, variance.Outputs[0])) is not { } epsilon)
            return null;
        if (index.OnlyReader(addEps, "Sqrt") is not { } sqrt || index.OnlyReader(sqrt, "Div") != div || div.Input(1) != sqrt.Outputs[0]) return null;
        if (index.OnlyReader(div, "Mul") is not { Outputs.Count: 1 } mul || NodeIndex.Other(mul, div.Outputs[0]) is not { } scaleName
            || index.Constant(graph, scaleName) is not { } scale || scale.Shape.Count != normalized)
            return null;
        List<GraphNode> run = [mean, sub, square, variance, addEps, sqrt, div, mul];
        string? biasName = null;
        if (index.OnlyReader(mul, "Add") is { } addBias && NodeIndex.Other(addBias, mul.Outputs[0]) is { } candidate
            && index.Constant(graph, candidate) is { } bias && bias.Shape.SequenceEqual(scale.Shape))
        {
            run.Add(addBias);
            biasName = candidate;
        }
        var last = run[^1];
        return (run, new GraphNode
        {
            Name = NodeIndex.Scope(run) is { } scope ? $"{scope}LayerNormalization" : last.Name,
            OpType = "LayerNormalization",
            Inputs = biasName is null ? [x, scaleName] : [x, scaleName, biasName],
            Outputs = [last.Outputs[0]],
            Ints = new Dictionary<string, long> { ["axis"] = -normalized },
            Floats = new Dictionary<string, double> { ["epsilon"] = epsilon },
            Graph = graph,
            FusedFrom = run,
            FusedAs = $"a LayerNormalization over the last {(normalized == 1 ? "axis" : $"{normalized} axes")}, as torch.onnx writes one before opset 17",
        });
    }

    // A ReduceMean's axes, an attribute until opset 18 (from which LayerNormalization is an operator of its own).
    private static IReadOnlyList<long>? Axes(GraphNode node) => node.IntLists.GetValueOrDefault("axes");

    /// <summary>
    /// How many trailing axes <paramref name="axes"/> are (-2, -1: two), or null when they are not the last ones; positive
    /// axes need the input's <paramref name="rank"/> to say so.
    /// </summary>
    public static int? Trailing(IReadOnlyList<long> axes, int? rank)
    {
        var sorted = axes.Select(a => a < 0 ? a : rank is { } r ? a - r : long.MaxValue).Order().ToList();
        for (int i = 0; i < sorted.Count; i++)
            if (sorted[i] != i - sorted.Count) return null;
        return sorted.Count;
    }
}
