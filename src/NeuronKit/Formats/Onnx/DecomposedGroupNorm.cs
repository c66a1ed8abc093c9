using NeuronKit.Tensors;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// A GroupNorm as torch.onnx writes it before opset 18, which has no GroupNormalization operator: the channels reshaped
/// into groups, an InstanceNormalization of those with a scale of ones and a bias of zeros, the result reshaped back to
/// the input's shape, then the module's weight and bias applied per channel:
/// <c>Add(Mul(Reshape(InstanceNormalization(Reshape(x, [0, G, -1]), 1, 0), Shape(x)), weight), bias)</c>, the weight and
/// bias unsqueezed to [C, 1, …] (torch/onnx/symbolic_opset9.py, group_norm). Such a run stands for one GroupNormalization
/// node (X, Scale, B, num_groups) whose scale and bias are those per-channel constants, as opset 21's are, so they read as
/// a GroupNorm layer and a neuron's channel j passes through it, its entry j on the way. Without the module's weight and
/// bias (affine=False) the run is left as it is: there is no layer to read, and nothing would say a GroupNorm is on the way.
/// </summary>
internal static class DecomposedGroupNorm
{
    // The most groups read from the InstanceNormalization's ones and zeros: far above any model's, far below a hostile count.
    private const long MostGroups = 1 << 16;

    /// <summary>The run of nodes around <paramref name="norm"/> (an InstanceNormalization) that computes a GroupNorm, and the node it stands for; else null.</summary>
    public static (IReadOnlyList<GraphNode> Run, GraphNode Fused)? Match(GraphNode norm, NodeIndex index)
    {
        string graph = norm.Graph;
        if (norm.Input(0) is not { } grouped || index.Producer(graph, grouped) is not { OpType: "Reshape" } split || split.Input(0) is not { } x
            || !KeepsZeros(split) || index.OnlyReader(split, "InstanceNormalization") != norm)
            return null;
        if (index.Values(graph, norm.Input(1), MostGroups) is not { Length: > 0 } ones || !ones.All(v => v == 1)
            || index.Values(graph, norm.Input(2), MostGroups) is not { } zeros || zeros.Length != ones.Length || !zeros.All(v => v == 0))
            return null;
        int groups = ones.Length;
        // [0, G, -1]: the batch kept (0 copies it), the channels and everything after them in G groups.
        if (index.Values(graph, split.Input(1), 3) is not [0, var g, -1] || g != groups) return null;
        if (index.OnlyReader(norm, "Reshape") is not { } merge || !KeepsZeros(merge) || merge.Input(0) != norm.Outputs[0]
            || merge.Input(1) is not { } shapeOfX || index.Producer(graph, shapeOfX) is not { OpType: "Shape" } shape || shape.Input(0) != x
            || shape.Ints.Count > 0 || index.OnlyReader(shape, "Reshape") != merge)
            return null;
        if (index.OnlyReader(merge, "Mul") is not { } mul || NodeIndex.Other(mul, merge.Outputs[0]) is not { } scaleName
            || index.Constant(graph, scaleName) is not { } scale || !PerChannel(scale.Shape, groups, index.Rank(x)))
            return null;
        if (index.OnlyReader(mul, "Add") is not { Outputs: [var output] } add || NodeIndex.Other(add, mul.Outputs[0]) is not { } biasName
            || index.Constant(graph, biasName) is not { } bias || !bias.Shape.SequenceEqual(scale.Shape))
            return null;
        List<GraphNode> run = [split, norm, shape, merge, mul, add];
        return (run, new GraphNode
        {
            Name = NodeIndex.Scope(run) is { } scope ? $"{scope}GroupNormalization" : add.Name,
            OpType = "GroupNormalization",
            Inputs = [x, scaleName, biasName],
            Outputs = [output],
            Ints = new Dictionary<string, long> { ["num_groups"] = groups },
            Floats = new Dictionary<string, double> { ["epsilon"] = norm.Floats.GetValueOrDefault("epsilon", 1e-5) },
            Graph = graph,
            FusedFrom = run,
            FusedAs = $"a GroupNormalization of {groups} group{(groups == 1 ? "" : "s")}, as torch.onnx writes one before opset 18",
        });
    }

    // A Reshape whose 0s copy the input's dims, as torch writes them (allowzero, from opset 14, makes a 0 a 0).
    private static bool KeepsZeros(GraphNode reshape) => reshape.Int("allowzero", 0) == 0;

    // A weight the module's GroupNorm unsqueezed to broadcast over [N, C, …]: [C, 1, …] with the input's rank less one, C
    // whole groups of at least one channel and more than one channel in all (affine=False leaves a constant [1, 1, …]).
    private static bool PerChannel(IReadOnlyList<long> shape, int groups, int? rank) =>
        shape.Count >= 1 && shape[0] > 1 && shape[0] % groups == 0 && shape.Skip(1).All(d => d == 1) && (rank is null || shape.Count == rank - 1);
}
