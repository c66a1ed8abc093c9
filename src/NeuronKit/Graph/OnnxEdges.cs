using NeuronKit.Formats;
using NeuronKit.Layers;
using NeuronKit.Layers.Kinds;
using NeuronKit.Tensors;

namespace NeuronKit.Graph;

/// <summary>
/// The consumers an ONNX graph's edges give: from a layer's output value, forward through the operations that keep channels
/// apart (activations, pooling, Dropout, Identity, a bias or scale by a constant, a residual Add of two branches, a
/// reduction over other axes (a global average pool as ReduceMean), Flatten and Reshape, a channel Concat (an input no layer
/// makes, such as the model's input, counted from the shape the file declares for it), a Transpose,
/// Squeeze, Unsqueeze or constant Gather whose channel axis can be followed, <see cref="OnnxChannelAxis"/>), to the next layers that
/// read it as their data input on the axis that holds the channels; a per-channel layer
/// (BatchNormalization) on the way is passed through, and so is an operation's per-channel constant (a PRelu's slope, a
/// layer scale) that a layer holds alone. A recurrent layer (ONNX LSTM, GRU, RNN) is followed from its Y and
/// Y_h outputs, and its own R reads its previous output too. An operation that mixes channels in ways no slice describes
/// (Softmax, a MatMul of two computed values, a Transpose that moves the channels to an axis the consumer does not read as
/// its inputs) ends the path, and the reason is kept for the error.
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

    /// <summary>Whether <paramref name="node"/>'s output keeps its first input's layout, channel j coming from channel j alone.</summary>
    public static bool KeepsChannels(GraphNode node) => KeepsChannels(node.OpType);

    /// <summary>Whether an operation <paramref name="opType"/> keeps its first input's layout, channel j coming from channel j alone.</summary>
    public static bool KeepsChannels(string opType) => ChannelWise.Contains(opType);

    // Binary operations: channel-wise when the other operand is a constant (a bias, a scale) or another branch of the same
    // channels (a residual Add).
    private static readonly HashSet<string> Binary = new(StringComparer.Ordinal) { "Add", "Sub", "Mul", "Div" };

    // Reductions: channel-wise while the axes they reduce (a global pooling's H and W: torch's x.mean([2, 3])) leave the channels' alone.
    private static readonly HashSet<string> Reducing = new(StringComparer.Ordinal)
    {
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
        "ReduceSumSquare",
    };

    // Operations that lay channels out flat, channel by channel (NCHW → N × C·H·W): a consumer then reads S inputs per channel.
    private static readonly HashSet<string> Flattening = new(StringComparer.Ordinal) { "Flatten", "Reshape" };

    private const int MaxSteps = 10_000;

    // Why a layer has no consumer when every path from it ends in an output of the model.
    private const string LeavesGraph = "its output leaves the graph";

    // A path from the producer: the value reached, the per-channel layers and operations on the way, where its channels sit
    // among what the next layer reads, whether a residual Add merged another branch into it, and the per-channel constants
    // on the way: those through as layers (LayerEdge.Constants) and those a prune could not cut (LayerEdge.Uncut).
    private sealed record Step(string Value, IReadOnlyList<Layer> Through, IReadOnlyList<string> Ops, long Offset, long Channels,
        OnnxChannelAxis? Axis, bool Residual = false, IReadOnlyList<string>? Uncut = null, IReadOnlyList<Layer>? Constants = null)
    {
        // Where the producer's channels start in each layer on the way that reads them after a Concat (LayerEdge.ThroughOffsets).
        public IReadOnlyDictionary<Layer, long> ThroughOffsets { get; init; } = new Dictionary<Layer, long>();

        // The layers whose channels the merges on the way add to the producer's (LayerEdge.Branches); null once a merge's
        // branch could not be traced to one.
        public IReadOnlyList<Layer>? Branches { get; init; } = [];
    }

    public static void Add(IReadOnlyList<Layer> layers, Checkpoint checkpoint, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers,
        Dictionary<Layer, string> whyNone, Dictionary<Layer, string> unfollowed)
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
        // The layers a node is: the one its output names, or a bidirectional recurrent node's two directions.
        var byModule = layers.Where(l => l.Implementation is OnnxRecurrent && l.Module is not null).ToLookup(l => l.Module!);
        IReadOnlyList<Layer> LayersOf(GraphNode node) =>
            node.Outputs.Count > 0 && byOutput.TryGetValue(node.Outputs[0], out var l) ? [l] : [.. byModule[node.LayerName]];
        var nodes = graph.Nodes.Where(n => n.Graph == "").GroupBy(n => n.LayerName).ToDictionary(g => g.Key, g => g.First());
        // A constant a layer not made of a node holds alone (a PRelu slope read as rows, a layer scale named like a norm's
        // weight): a per-channel operand of an operation on the way is that layer, its entry j the producer's channel j.
        var alone = layers.Where(l => l.Tensors.Count == 1 && !l.Aliases.Any(producers.ContainsKey))
            .GroupBy(l => l.Tensors[0].Tensor.Name).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single(), StringComparer.Ordinal);
        TensorInfo? Constant(string value) => value == "" || Computed(value) ? null : checkpoint.Find(value);
        // The shape the file gives a value: what it declares (a model input's, shape inference's), or a constant's own.
        IReadOnlyList<long?>? Declared(string value) =>
            graph.DeclaredShapes.GetValueOrDefault(value) ?? (Constant(value)?.Shape is { } shape ? [.. shape.Select(d => (long?)d)] : null);
        var walk = new Walker(readers, producers, byOutput, LayersOf, Computed, Longs, Constant, alone, Declared);

        foreach (var producer in layers.Where(l => l.NeuronCount > 0))
        {
            GraphNode? node = null;
            if (producer.Aliases.Count > 0 && producers.TryGetValue(producer.Aliases[0], out var named) && named.Outputs[0] == producer.Aliases[0])
                node = named;
            else if (producer.Implementation is OnnxRecurrent && producer.Module is not null)
                node = nodes.GetValueOrDefault(producer.Module);
            if (node is null) continue;
            // A recurrent layer's hidden state is Y (every step) and Y_h (the last); Y_c is its cell state, not its output.
            var outputs = producer.Implementation is OnnxRecurrent ? node.Outputs.Take(2).Where(o => o != "") : node.Outputs.Take(1);
            var (edges, why, lost) = walk.From(producer, [.. outputs.Select(o => new Step(o, [], [], 0, producer.NeuronCount, Ranked(OnnxChannelAxis.Of(node, producer, o), node)))]);
            if (edges.Count > 0 && producer.Implementation is OnnxRecurrent)
                edges.Add(RecurrentEdges.Feedback(producer, $"ONNX {producer.Kind}: its R reads its previous output H(t−1)", $"ONNX {producer.Kind}, gates in ONNX order"));
            if (edges.Count > 0) consumers[producer] = edges;
            // Its own R still reads a recurrent layer's output, which naming the layer as its consumer edits.
            else whyNone[producer] = producer.Implementation is OnnxRecurrent && why.StartsWith(LeavesGraph, StringComparison.Ordinal)
                ? $"{why} but its own R (--consumer {producer.Name} names that)"
                : why;
            if (edges.Count > 0 && lost is not null) unfollowed[producer] = lost;
        }

        // The layout with the rank of the layer's output where the file gives it: a convolution makes a value of its
        // weight's rank (W [M, C/group, k…] reads an input [N, C, d…] of that rank); a MatMul by a 2-D weight, one of its data
        // input's rank where the file declares that (the model's input). Torch.onnx declares no intermediate shape, and
        // without a rank an axis counted from the back (a Concat's -1) cannot be told from one counted from the front.
        OnnxChannelAxis? Ranked(OnnxChannelAxis? axis, GraphNode node)
        {
            if (axis is not { Rank: null }) return axis;
            int? rank = node.OpType switch
            {
                "Conv" or "ConvTranspose" => Constant(node.Input(1) ?? "")?.Shape.Count,
                "MatMul" when Constant(node.Input(1) ?? "")?.Shape.Count == 2 && Declared(node.Input(0) ?? "")?.Count is >= 2 and var r => r,
                _ => null,
            };
            return rank is >= 2 ? axis with { Rank = rank } : axis;
        }

        // A small integer constant (a Reshape's shape, a Squeeze's axes, a Gather's indices) and its rank, or null when it
        // is computed or absent.
        (long[] Values, int Rank)? Longs(string? value) =>
            value is not null && checkpoint.Find(value) is { Shape.Count: <= 1 } t && t.ElementCount <= 16
                ? ([.. t.View().ToDoubles().Select(v => (long)v)], t.Shape.Count)
                : null;
    }

    private sealed class Walker(Dictionary<string, List<GraphNode>> readers, Dictionary<string, GraphNode> producers, Dictionary<string, Layer> byOutput,
        Func<GraphNode, IReadOnlyList<Layer>> layersOf, Func<string, bool> computed, Func<string?, (long[] Values, int Rank)?> longs,
        Func<string, TensorInfo?> constant, IReadOnlyDictionary<string, Layer> alone, Func<string, IReadOnlyList<long?>?> declared)
    {
        // The edges found, why there are none, and the paths that reach no consumer but some other reader (a Concat of an
        // input NeuronKit cannot count, a Softmax): null when every path ends in a consumer or an output of the model.
        public (List<LayerEdge> Edges, string Why, string? Unfollowed) From(Layer producer, IReadOnlyList<Step> starts)
        {
            List<LayerEdge> edges = [];
            List<string> stops = [], outputs = [];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<Step>(starts.Reverse());
            int steps = 0;
            while (pending.TryPop(out var step) && ++steps < MaxSteps)
            {
                if (!seen.Add(step.Value)) continue;
                var next = readers.GetValueOrDefault(step.Value) ?? [];
                if (next.Count == 0)
                {
                    outputs.Add($"{step.Value} is an output of the model");
                    stops.Add(outputs[^1]);
                }
                foreach (var node in next)
                    Follow(producer, step, node, pending, edges, stops);
            }
            var lost = stops.Except(outputs).ToList();
            string why = stops.Count == 0 ? "the graph says of no layer that reads its output"
                : lost.Count == 0 ? $"{LeavesGraph} ({string.Join("; ", outputs.Distinct())}), and no layer reads it"
                : string.Join("; ", stops.Distinct());
            return (edges, why, lost.Count == 0 ? null : string.Join("; ", lost));
        }

        private void Follow(Layer producer, Step step, GraphNode node, Stack<Step> pending, List<LayerEdge> edges, List<string> stops)
        {
            // Shape and Size read a value's dimensions, not its channels' values (a dynamic Reshape's size computation).
            if (node.OpType is "Shape" or "Size") return;
            var layers = layersOf(node);
            if (layers.Contains(producer)) // its own bias Add (MatMul + Add is one layer)
            {
                Continue(pending, step, node, step.Ops);
                return;
            }
            if (layers.Count > 0 && node.Input(0) == step.Value)
            {
                if (layers is [var norm] && LayerGraph.PassesOn(norm, step.Channels) && node.Outputs.Count > 0)
                {
                    pending.Push(step with
                    {
                        Value = node.Outputs[0], Through = [.. step.Through, norm], Ops = [.. step.Ops, node.OpType],
                        ThroughOffsets = step.Offset == 0 ? step.ThroughOffsets : new Dictionary<Layer, long>(step.ThroughOffsets) { [norm] = step.Offset },
                    });
                    return;
                }
                foreach (var layer in layers)
                {
                    if (step.Axis?.Mismatch(node, layer.Name) is { } mismatch)
                    {
                        stops.Add($"{string.Join(" → ", [producer.Name, .. step.Ops, layer.Name])}: {mismatch}");
                        continue;
                    }
                    string path = string.Join(" → ", [producer.Name, .. step.Ops, layer.Name]);
                    long? groups = node.OpType is "Conv" or "ConvTranspose" or "QLinearConv" or "ConvInteger" ? node.Int("group", 1) : null;
                    var edge = LayerGraph.Fit(producer, layer, step.Through, $"ONNX graph: {path}", assumed: false, step.Channels, groups);
                    if (edge is null) stops.Add($"{layer.Name} ({layer.Kind}) reads {step.Value}, but its inputs do not fit {step.Channels} channels");
                    else edges.Add(edge with { Map = edge.Map with { Offset = edge.Map.Offset + step.Offset * edge.Map.Spread }, Residual = step.Residual,
                        Evidence = step.Offset == 0 || !step.Ops.Contains("Concat") ? edge.Evidence : [.. edge.Evidence, Before(producer, step.Offset, edge.Map.Spread)],
                        Uncut = step.Uncut is { Count: > 0 } uncut ? string.Join("; ", uncut) : null, Constants = step.Constants ?? [],
                        ThroughOffsets = step.ThroughOffsets, Branches = step.Residual ? step.Branches?.Where(b => b != producer).Distinct().ToList() : null });
                }
                return;
            }
            string? why = null;
            if (ChannelWise.Contains(node.OpType) && node.Input(0) == step.Value)
                Continue(pending, node.OpType == "PRelu" ? WithConstants(step, node, [node.Input(1) ?? ""]) : step, node, [.. step.Ops, node.OpType]);
            else if (Binary.Contains(node.OpType) && node.Inputs.Count(i => i != "" && computed(i)) > 1 && !SelfGate(node))
                Continue(pending, step with { Residual = true, Branches = WithBranches(step, node) }, node, [.. step.Ops, $"{node.OpType} (residual)"]);
            else if (Binary.Contains(node.OpType))
                Continue(pending, WithConstants(step, node, node.Inputs.Where(i => i != step.Value)), node, [.. step.Ops, node.OpType]);
            else if (Flattening.Contains(node.OpType) && node.Input(0) == step.Value)
                why = Flatten(step, node, pending);
            else if (node.OpType is "Transpose" or "Squeeze" or "Unsqueeze" && node.Input(0) == step.Value)
            {
                // Squeeze's and Unsqueeze's axes: an attribute until opset 13, a constant input from it.
                var axes = node.IntLists.GetValueOrDefault("axes") ?? longs(node.Input(1))?.Values;
                var (axis, moved) = step.Axis is null
                    ? (null, UnknownAxis(step, producer))
                    : node.OpType == "Transpose" ? step.Axis.Transpose(node)
                    : node.OpType == "Squeeze" ? step.Axis.Squeeze(node, axes)
                    : step.Axis.Unsqueeze(node, axes);
                if (axis is null) why = $"{node.OpType} node '{node.LayerName}' reads it, and the channel axis cannot be followed: {moved}";
                else Continue(pending, step with { Axis = axis }, node, [.. step.Ops, node.OpType]);
            }
            else if (Reducing.Contains(node.OpType) && node.Input(0) == step.Value)
            {
                // The axes: an attribute, or (opset 18, and ReduceSum from 13) a constant input; one computed at run time is unknown.
                var axes = node.IntLists.GetValueOrDefault("axes") ?? longs(node.Input(1))?.Values;
                var (axis, reduced) = step.Axis is null
                    ? (null, UnknownAxis(step, producer))
                    : axes is null && node.Input(1) is not (null or "")
                        ? (null, "its axes are computed at run time")
                        : step.Axis.Reduce(node, axes);
                if (axis is null) why = $"{node.OpType} node '{node.LayerName}' reads it, and the channels cannot be followed: {reduced}";
                else Continue(pending, step with { Axis = axis }, node, [.. step.Ops, node.OpType]);
            }
            else if (node.OpType == "Gather" && node.Input(0) == step.Value && step.Axis?.TakesAnotherDirection(node, longs(node.Input(1))) == true)
            {
                // the other direction's h_n[d]: none of this producer's channels go that way
            }
            else if (node.OpType == "Gather" && node.Input(0) == step.Value)
            {
                var (axis, taken) = step.Axis is null
                    ? (null, UnknownAxis(step, producer))
                    : step.Axis.Gather(node, longs(node.Input(1)));
                if (axis is null) why = $"Gather node '{node.LayerName}' reads it, and the channels cannot be followed: {taken}";
                else Continue(pending, step with { Axis = axis }, node,
                    [.. step.Ops, $"Gather (axis {node.Int("axis", 0)}, index {string.Join(", ", longs(node.Input(1))!.Value.Values)})"]);
            }
            else if (node.OpType == "Concat" && ConcatAcross(node, step, producer) is { } across)
                why = across;
            else if (node.OpType == "Concat" && node.Outputs.Count > 0 && ConcatOffset(node, step) is { } concat)
                pending.Push(step with { Value = node.Outputs[0], Ops = [.. step.Ops, "Concat"], Offset = step.Offset + concat.Offset, Channels = concat.Total });
            else if (node.OpType == "Concat" && node.Inputs.Where(i => i != "" && Count(i, node, step) is null).ToList() is { Count: > 0 } uncounted)
                why = $"Concat node '{node.LayerName}' reads it beside {string.Join(", ", uncounted)}, whose channels NeuronKit cannot count, so where " +
                    "its own land is unknown";
            else
                why = $"{node.OpType} node '{node.LayerName}' reads it, and NeuronKit does not follow channels through {node.OpType}";
            if (why is not null) stops.Add(why);
        }

        // A binary operation whose computed operands all come, channel for channel, from one value: SiLU as torch.onnx writes
        // it, x · Sigmoid(x), or GELU's x · (1 + Erf(x / √2)) / 2 before opset 20. Channel j of its output is a function of
        // channel j of that value alone, as an activation's is: no other branch merges in.
        private bool SelfGate(GraphNode node)
        {
            var origins = node.Inputs.Where(i => i != "" && computed(i)).Distinct().Select(Origins).ToList();
            return origins.Skip(1).Aggregate(origins[0], (common, next) => [.. common.Intersect(next)]).Count > 0;
        }

        // A value and those it comes from channel for channel: back through channel-wise operations and binary ones whose
        // other operands are constants, up to the first layer or merge.
        private HashSet<string> Origins(string value)
        {
            var chain = new HashSet<string>(StringComparer.Ordinal) { value };
            for (int hop = 0; hop < 64 && producers.TryGetValue(value, out var node) && layersOf(node).Count == 0; hop++)
            {
                if (ChannelWise.Contains(node.OpType) && node.Input(0) is { } input) value = input;
                else if (Binary.Contains(node.OpType) && node.Inputs.Where(i => i != "" && computed(i)).Distinct().ToList() is [var only]) value = only;
                else break;
                if (!chain.Add(value)) break;
            }
            return chain;
        }

        // The branches a merge adds to the producer's channels, each traced back to the layers that make it, channel j for
        // channel j; null when one cannot be (a model input, a concatenation), or the producer's channels are not the
        // merge's channels one for one.
        private IReadOnlyList<Layer>? WithBranches(Step step, GraphNode node)
        {
            if (step.Branches is null || step.Offset != 0) return null;
            List<Layer> branches = [.. step.Branches];
            foreach (string input in node.Inputs.Where(i => i != "" && i != step.Value && computed(i)).Distinct())
            {
                if (Sources(input, step.Channels) is not { } sources) return null;
                branches.AddRange(sources);
            }
            return branches;
        }

        // The layers a computed value comes from, channel j from their channel j: back through channel-wise operations,
        // Unsqueeze and Reshape that add axes of size 1, the norms on the way, a constant's bias or scale, and other merges; null when some of it comes from anything else.
        private List<Layer>? Sources(string value, long channels)
        {
            List<Layer> sources = [];
            var pending = new Stack<string>([value]);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (pending.TryPop(out var next))
            {
                if (!seen.Add(next)) continue;
                if (seen.Count > MaxSteps || !producers.TryGetValue(next, out var node)) return null;
                var layers = layersOf(node);
                if (layers is [{ Implementation.PassesChannels: false } layer] && byOutput.GetValueOrDefault(next) == layer)
                {
                    if (layer.NeuronCount != channels) return null;
                    sources.Add(layer);
                }
                // An Unsqueeze only adds axes of size 1 (an SE gate's w[:, :, None, None]), and so does a Reshape to a constant
                // shape that holds the channels and 1s, after the batch at most (w.view(1, C, 1, 1)): channel j stays channel j.
                else if (layers is [var norm] && LayerGraph.PassesOn(norm, channels) || ChannelWise.Contains(node.OpType) || node.OpType == "Unsqueeze"
                    || AddsUnitAxes(node, channels))
                    pending.Push(node.Input(0) ?? "");
                else if (Binary.Contains(node.OpType) && node.Inputs.Where(i => i != "" && computed(i)).ToList() is { Count: > 0 } operands)
                    foreach (string operand in operands) pending.Push(operand);
                else
                    return null;
            }
            return sources;
        }

        // A Reshape to a constant shape that holds the channels, 1s and a batch before them at most (0 copies it, -1 infers it);
        // OnnxPruneWriter gives it the new count.
        private bool AddsUnitAxes(GraphNode node, long channels) =>
            node.OpType == "Reshape" && longs(node.Input(1))?.Values is { } shape && OnnxChannelAxis.UnitAxesChannel(shape, channels) is not null;

        private static string UnknownAxis(Step step, Layer producer) =>
            $"NeuronKit does not know which axis of {step.Value} holds the channels of {producer.Name}";

        // A constant operand that holds an entry per channel (a PRelu's slope [C, 1, 1], a Mul's layer scale [C]) goes with the
        // channels: the layer holding it alone is on the way, its row j cut with channel j. One NeuronKit cannot place that
        // way (not on dimension 0, held by no such layer, after a flatten) is kept for a prune to refuse; one that broadcasts
        // along the channels (a scalar) is every channel's.
        private Step WithConstants(Step step, GraphNode node, IEnumerable<string> operands)
        {
            foreach (string operand in operands)
            {
                if (constant(operand) is not { } tensor || tensor.ElementCount <= 1) continue;
                int? dim = ChannelDim(step, tensor);
                if (dim == -1) continue;
                if (dim == 0 && step.Offset == 0 && alone.TryGetValue(tensor.Name, out var layer) && layer.NeuronCount == step.Channels)
                    step = step with { Through = [.. step.Through, layer], Constants = [.. step.Constants ?? [], layer] };
                else
                    step = step with { Uncut = [.. step.Uncut ?? [], $"{node.OpType} node '{node.LayerName}' and its constant {tensor.Name} {tensor.Shape.Text()}"] };
            }
            return step;
        }

        // The dimension of a constant operand that lies along the channels as ONNX broadcasts it (shapes aligned from the
        // last axis), -1 when none does or that one has size 1, null when the layout does not tell. Without the value's rank,
        // only a [C, 1, …] constant is taken to lie along channels on an axis counted from the front: a [C] one would lie
        // along the last axis of any value of rank 3 or more.
        private static int? ChannelDim(Step step, TensorInfo tensor)
        {
            var shape = tensor.Shape;
            int rank = shape.Count;
            // After a flatten the channels are spread over C·S entries of the merged axis, which no dimension here says.
            if (step.Ops.Any(op => Flattening.Any(f => op.StartsWith(f, StringComparison.Ordinal)))) return null;
            if (!shape.Contains(step.Channels)) return -1;
            if (step.Axis is { } axis && (axis.Axis < 0 ? rank + axis.Axis : axis.Rank is { } r ? axis.Axis - (r - rank) : (int?)null) is { } d)
                return d < 0 || d >= rank || shape[d] == 1 ? -1 : shape[d] == step.Channels ? d : null;
            var wide = Enumerable.Range(0, rank).Where(k => shape[k] != 1).ToList();
            return step.Axis is { Axis: >= 0 } && wide is [var only] && only < rank - 1 && shape[only] == step.Channels ? only : null;
        }

        // A Flatten or Reshape: where the channels land when trailing axes merge (OnnxChannelAxis.Merge). A Reshape NeuronKit
        // cannot read as such a merge (its shape is computed, or splits axes) is taken, as a Flatten is, to lay channels out
        // from axis 1 when they are on axis 1, the (N, C·H·W) view a classifier head reads.
        private string? Flatten(Step step, GraphNode node, Stack<Step> pending)
        {
            int? from = node.OpType == "Flatten" ? (int)node.Int("axis", 1) : ReshapeMerge(node, step.Axis);
            if (step.Axis is null || (from is null && step.Axis.Is(1) != false))
            {
                Continue(pending, step with { Axis = step.Axis?.Is(1) == true ? new OnnxChannelAxis(1, null) : null }, node, [.. step.Ops, node.OpType]);
                return null;
            }
            if (from is not { } start)
                return $"Reshape node '{node.LayerName}' reads it, and NeuronKit cannot tell from its shape where the channels on axis {step.Axis.Axis} go";
            if (start < 0 && step.Axis.Rank is { } rank) start += rank;
            var (axis, stacked, why) = step.Axis.Merge(node, start);
            if (axis is null) return why;
            long offset = step.Axis.StackIndex * step.Channels;
            var next = stacked
                ? step with { Axis = axis, Offset = step.Offset + offset, Channels = step.Channels * step.Axis.StackSize }
                : step with { Axis = axis };
            Continue(pending, next, node, [.. next.Ops, stacked ? $"{node.OpType} (directions concatenated: unit j is input {offset} + j)" : node.OpType]);
            return null;
        }

        // Why a Concat is no channel Concat for the producer's channels: it joins along another axis (the width of two
        // convolutions' outputs, the time of two sequences), where channel j of every input is the output's channel j and
        // no slice of a consumer's weights is the producer's alone; or the ranks do not tell whether its axis is the
        // channels' (an axis counted from the back, channels counted from the front). Null when it is the channel axis,
        // or the layout is unknown.
        private string? ConcatAcross(GraphNode concat, Step step, Layer producer)
        {
            if (step.Axis is not { } channels) return null;
            string op = $"Concat node '{concat.LayerName}' joins along axis {concat.Int("axis", 1)}";
            return JoinsChannels(concat, channels) switch
            {
                true => null,
                false => $"{op}, not the axis that holds the channels of {producer.Name} ({channels.Axis}): channel j of every value it joins " +
                    "is its output's channel j, so no slice of what reads it is this layer's alone",
                null => $"{op}, and NeuronKit does not know whether that axis holds the channels of {producer.Name} " +
                    $"(axis {channels.Axis} of a value whose rank the file does not give)",
            };
        }

        // Whether a Concat joins along the axis that holds the channels; a rank the file declares for an input says which
        // axis a negative one is. Null when that is not known.
        private bool? JoinsChannels(GraphNode concat, OnnxChannelAxis channels)
        {
            int axis = (int)concat.Int("axis", 1);
            int? rank = concat.Inputs.Where(i => i != "").Select(i => declared(i)?.Count).FirstOrDefault(r => r is not null);
            return channels.Is(axis < 0 && rank is { } r ? r + axis : axis);
        }

        // Where `value` starts among a channel Concat's inputs, and how many channels it has in all; null when an input's
        // channel count is unknown (Count) or the axis is not the channel axis (JoinsChannels).
        private (long Offset, long Total)? ConcatOffset(GraphNode concat, Step step)
        {
            string value = step.Value;
            if (concat.Int("axis", 1) is not (1 or -1) || step.Axis is { } layout && JoinsChannels(concat, layout) == false) return null;
            long offset = 0, total = 0;
            bool found = false;
            foreach (string input in concat.Inputs)
            {
                if (Count(input, concat, step) is not { } channels) return null;
                if (input == value && !found)
                {
                    offset = total;
                    found = true;
                }
                total += channels;
                if (total > int.MaxValue) return null;
            }
            return found ? (offset, total) : null;
        }

        // The channels of a Concat input: those of the layer it comes from (Channels), else, where they are channels as the
        // producer's are (no flatten on the way spreads them over positions), the dim on the Concat's axis of the shape the
        // file gives it or a value it is made from by channel-wise operations (a model input pooled or resized, as U-Net
        // concatenates it: torch.onnx declares the input's shape, seldom the pooled one's); null when none says it.
        private long? Count(string value, GraphNode concat, Step step)
        {
            if (Channels(value, producers, byOutput) is { } channels) return channels;
            if (step.Ops.Any(op => Flattening.Any(f => op.StartsWith(f, StringComparison.Ordinal)))) return null;
            int axis = (int)concat.Int("axis", 1);
            for (int hop = 0; hop < 64 && value != ""; hop++)
            {
                if (declared(value) is { } shape && (axis < 0 ? shape.Count + axis : axis) is var a && a >= 0 && a < shape.Count
                    && shape[a] is >= 0 and <= int.MaxValue and var dim)
                    return dim;
                if (!producers.TryGetValue(value, out var node) || !ChannelWise.Contains(node.OpType) || node.Input(0) is not { } input) return null;
                value = input;
            }
            return null;
        }

        // The axis a Reshape starts merging at when its shape keeps the leading axes (0 copies one) and merges the rest into
        // its last entry ([0, 0, -1] after a bidirectional LSTM's Transpose); null when its shape says otherwise or is computed.
        private int? ReshapeMerge(GraphNode node, OnnxChannelAxis? axis)
        {
            if (longs(node.Input(1))?.Values is not { Length: > 0 } shape || axis?.Rank is not { } rank || node.Int("allowzero", 0) != 0) return null;
            int kept = shape.TakeWhile(d => d == 0).Count();
            return kept == shape.Length - 1 && kept < rank ? kept : null;
        }
    }

    // Where a Concat put the producer's channels among what the consumer reads, as a Keras config's path says it (a
    // Reshape that concatenates a recurrent layer's directions says it in its step).
    private static string Before(Layer producer, long offset, long spread) => spread == 1
        ? $"{offset} of them come before {producer.Name}'s: its unit j is input {offset} + j"
        : $"{offset} channels come before {producer.Name}'s: its channel j is inputs ({offset} + j)·{spread} to ({offset} + j + 1)·{spread} − 1";

    private static void Continue(Stack<Step> pending, Step step, GraphNode node, IReadOnlyList<string> ops)
    {
        if (node.Outputs.Count > 0 && node.Outputs[0] != "") pending.Push(step with { Value = node.Outputs[0], Ops = ops });
    }

    // The channels of a value: the neurons of the layer it comes from (a recurrent node's hidden_size), back through
    // channel-wise operations and the Gathers and Squeezes that pick a step or a direction of a recurrent output.
    private static long? Channels(string value, Dictionary<string, GraphNode> producers, Dictionary<string, Layer> byOutput)
    {
        for (int step = 0; step < 64; step++)
        {
            if (byOutput.TryGetValue(value, out var layer)) return layer.NeuronCount;
            if (!producers.TryGetValue(value, out var node) || node.Input(0) is not { } input) return null;
            if (node.OpType is "LSTM" or "GRU" or "RNN" && node.Int("hidden_size", 0) is > 0 and var hidden) return hidden;
            if (!ChannelWise.Contains(node.OpType) && node.OpType is not ("Gather" or "Squeeze")) return null;
            value = input;
        }
        return null;
    }
}
