namespace NeuronKit.Formats.Onnx;

/// <summary>
/// An RMSNorm as torch.onnx writes T5's, Llama's and their kin's (ONNX has no RMSNormalization operator before opset 23):
/// <c>x' = Cast(x); y = Mul(x', Div(1, Sqrt(Add(ReduceMean(Pow(x', 2)), eps)))); out = Mul(weight, Cast(y))</c>, the Casts
/// there when the module computes in float32 (<c>hidden_states.to(torch.float32)</c>), the mean over the trailing axes,
/// <c>torch.rsqrt</c> written as a Div of 1 (or a Reciprocal), or the norm as a Div of x' by the root. Such a run stands for
/// one RMSNormalization node (X, scale, axis the first axis normalized), so its weight reads as an RMSNorm layer and a
/// neuron's channel j passes through it, its entry j on the way, as through opset 23's operator.
/// </summary>
internal static class DecomposedRmsNorm
{
    /// <summary>The run of nodes around <paramref name="mean"/> (a ReduceMean) that computes an RMSNorm, and the node it stands for; else null.</summary>
    public static (IReadOnlyList<GraphNode> Run, GraphNode Fused)? Match(GraphNode mean, NodeIndex index)
    {
        string graph = mean.Graph;
        if (mean.Input(0) is not { } squared || mean.Outputs.Count != 1 || mean.IntLists.GetValueOrDefault("axes") is not { Count: > 0 } axes
            || mean.Int("keepdims", 1) != 1 || index.Producer(graph, squared) is not { } square || index.OnlyReader(square, "ReduceMean") != mean)
            return null;
        // x', squared: Pow(x', 2) or Mul(x', x').
        string? x = square.OpType switch
        {
            "Pow" when index.Scalar(graph, square.Input(1)) == 2 => square.Input(0),
            "Mul" when square.Input(0) == square.Input(1) => square.Input(0),
            _ => null,
        };
        if (x is null || DecomposedLayerNorm.Trailing(axes, index.Rank(x)) is not { } normalized) return null;
        if (index.OnlyReader(mean, "Add") is not { } addEps || index.Scalar(graph, NodeIndex.Other(addEps, mean.Outputs[0])) is not { } epsilon
            || index.OnlyReader(addEps, "Sqrt") is not { Outputs: [var root] } sqrt)
            return null;
        List<GraphNode> run = [square, mean, addEps, sqrt];
        // x' times the root's reciprocal (Div(1, root) or Reciprocal(root)), or x' over the root.
        GraphNode? normed;
        if (index.Readers(graph, root) is [{ OpType: "Div" } div] && div.Input(1) == root && div.Input(0) == x && !index.IsOutput(root))
            normed = div;
        else if (index.Readers(graph, root) is [{ OpType: "Div" or "Reciprocal" } inverse] && !index.IsOutput(root)
            && (inverse.OpType == "Reciprocal" || inverse.Input(1) == root && index.Scalar(graph, inverse.Input(0)) == 1)
            && index.OnlyReader(inverse, "Mul") is { } times && NodeIndex.Other(times, inverse.Outputs[0]) == x)
        {
            run.Add(inverse);
            normed = times;
        }
        else
            return null;
        run.Add(normed);
        // A Cast to float32 that only the square and the product read joins the run.
        string input = x;
        if (index.Producer(graph, x) is { OpType: "Cast", Outputs: [_] } widen && widen.Input(0) is { } source && !index.IsOutput(x)
            && index.Readers(graph, x).All(r => ReferenceEquals(r, square) || ReferenceEquals(r, normed)))
        {
            run.Insert(0, widen);
            input = source;
        }
        var last = normed;
        if (index.OnlyReader(last, "Cast") is { } narrow)
        {
            run.Add(narrow);
            last = narrow;
        }
        if (index.OnlyReader(last, "Mul") is not { Outputs: [var output] } scaled || NodeIndex.Other(scaled, last.Outputs[0]) is not { } weightName
            || index.Constant(graph, weightName) is not { } weight || weight.Shape.Count != normalized)
            return null;
        run.Add(scaled);
        return (run, new GraphNode
        {
            Name = NodeIndex.Scope(run) is { } scope ? $"{scope}RMSNormalization" : scaled.Name,
            OpType = "RMSNormalization",
            Inputs = [input, weightName],
            Outputs = [output],
            Ints = new Dictionary<string, long> { ["axis"] = -normalized },
            Floats = new Dictionary<string, double> { ["epsilon"] = epsilon },
            Graph = graph,
            FusedFrom = run,
            FusedAs = $"an RMSNormalization over the last {(normalized == 1 ? "axis" : $"{normalized} axes")}, as torch.onnx writes one before opset 23",
        });
    }
}
