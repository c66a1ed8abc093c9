using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>
/// Where a producer's channels sit in an ONNX value as <see cref="OnnxEdges"/> follows it: the channel axis (from the front
/// when ≥ 0, from the back when &lt; 0), the value's rank where known, and a stacking axis of which the producer fills one
/// index (a bidirectional recurrent layer's direction axis D of Y [T, D, B, H]). A Transpose moves the axes
/// (https://onnx.ai/onnx/operators/onnx__Transpose.html), a Squeeze drops some, an Unsqueeze inserts some, a Flatten or Reshape merges trailing
/// ones; a step that cannot be followed says why instead of guessing.
/// </summary>
/// <param name="Axis">The axis that holds the channels.</param>
/// <param name="Rank">The value's rank, or null when unknown.</param>
/// <param name="Stack">The stacking axis, or null when there is none.</param>
/// <param name="StackIndex">The producer's index along <paramref name="Stack"/> (0 forward, 1 reverse).</param>
/// <param name="StackSize">How many producers the stacking axis holds (2 for a bidirectional layer).</param>
internal sealed record OnnxChannelAxis(int Axis, int? Rank, int? Stack = null, long StackIndex = 0, long StackSize = 1)
{
    /// <summary>The last node that moved the channel axis (<c>Transpose node '/Transpose'</c>), for the reason a consumer does not read it.</summary>
    public string? MovedBy { get; init; }

    /// <summary>
    /// The layout of <paramref name="output"/> of <paramref name="node"/>, the node <paramref name="layer"/> is made of: the
    /// channels on the axis <see cref="AxisOf"/> gives (Gemm's as axis 1 of its [M, N], whose rank is known); a recurrent
    /// layer's Y [T, D, B, H] and Y_h [D, B, H] on the last, its direction on D. Null when unknown.
    /// </summary>
    public static OnnxChannelAxis? Of(GraphNode node, Layer layer, string output) => node.OpType switch
    {
        "LSTM" or "GRU" or "RNN" when output == node.Outputs[0] => new(3, 4, 1, layer.StackIndex, Directions(layer)),
        "LSTM" or "GRU" or "RNN" => new(2, 3, 0, layer.StackIndex, Directions(layer)),
        "Gemm" => new(1, 2),
        _ => AxisOf(node) is { } axis ? new(axis, null) : null,
    };

    /// <summary>
    /// The axis of <paramref name="node"/>'s output that holds one entry per neuron of the layer it computes, from the front
    /// when ≥ 0, from the back when &lt; 0: axis 1 for convolutions and the per-channel norms of N×C×… maps
    /// (BatchNormalization, InstanceNormalization, GroupNormalization), the last for Gemm's [M, N], MatMul and a Gather's
    /// table rows, and a LayerNormalization's <c>axis</c>, the first it normalizes: its scale spans the axes from there, and
    /// neuron j is the scale's row j. Null for a recurrent node (its Y holds them on two axes) and for operators NeuronKit
    /// does not know.
    /// </summary>
    public static int? AxisOf(GraphNode node) => node.OpType switch
    {
        "Conv" or "ConvTranspose" or "QLinearConv" or "ConvInteger" or "BatchNormalization" or "InstanceNormalization"
            or "GroupNormalization" => 1,
        "Gemm" or "MatMul" or "QLinearMatMul" or "MatMulInteger" or "Gather" => -1,
        // https://onnx.ai/onnx/operators/onnx__LayerNormalization.html: axis defaults to -1, the last.
        "LayerNormalization" or "RMSNormalization" => (int)node.Int("axis", -1),
        _ => null,
    };

    /// <summary>The axis <paramref name="consumer"/> reads as its input channels, or null when its operator is not one NeuronKit knows.</summary>
    public static int? ReadAxis(GraphNode consumer) => consumer.OpType switch
    {
        "Conv" or "ConvTranspose" or "QLinearConv" or "ConvInteger" or "BatchNormalization" or "InstanceNormalization" => 1,
        "Gemm" => consumer.Int("transA", 0) != 0 ? 0 : 1,
        "MatMul" or "QLinearMatMul" or "MatMulInteger" or "LSTM" or "GRU" or "RNN" => -1,
        _ => null,
    };

    /// <summary>True or false when this layout's channel axis is <paramref name="axis"/> of the value; null when the ranks do not tell.</summary>
    public bool? Is(int axis)
    {
        if (axis == Axis) return true;
        if (Front(Axis) is { } a && Front(axis) is { } b) return a == b;
        return (axis < 0) == (Axis < 0) ? false : null; // counted from the same end, they differ; from both ends, only the rank tells
    }

    /// <summary>Why <paramref name="consumer"/> does not read these channels as its inputs, or null when it does (or the ranks do not tell).</summary>
    public string? Mismatch(GraphNode consumer, string consumerName) =>
        ReadAxis(consumer) is { } read && Is(read) == false
            ? $"{consumerName} reads axis {read} of its input as its channels, but the channels are on axis {Axis} there" +
                (MovedBy is null ? "" : $", where {MovedBy} moved them")
            : null;

    /// <summary>The layout after <paramref name="node"/>, a Transpose: each axis goes where <c>perm</c> puts it.</summary>
    public (OnnxChannelAxis? Next, string? Why) Transpose(GraphNode node)
    {
        var perm = node.IntLists.GetValueOrDefault("perm")?.Select(p => (int)p).ToList();
        if (perm is null && Rank is { } rank) perm = [.. Enumerable.Range(0, rank).Reverse()];
        if (perm is null) return (null, $"Transpose node '{node.LayerName}' reverses the axes of a value whose rank NeuronKit does not know");
        int To(int axis) => perm.IndexOf(axis >= 0 ? axis : perm.Count + axis);
        int axis = To(Axis);
        if (axis < 0) return (null, $"Transpose node '{node.LayerName}' has perm [{string.Join(", ", perm)}], which does not hold axis {Axis}");
        return (this with { Axis = axis, Rank = perm.Count, Stack = Stack is { } s ? To(s) : null, MovedBy = $"Transpose node '{node.LayerName}'" }, null);
    }

    /// <summary>The layout after a Squeeze of <paramref name="axes"/> (null: every size-1 axis).</summary>
    public (OnnxChannelAxis? Next, string? Why) Squeeze(GraphNode node, IReadOnlyList<long>? axes)
    {
        if (axes is null) return (null, $"Squeeze node '{node.LayerName}' drops every axis of size 1, and NeuronKit does not know which those are");
        var front = axes.Select(a => a >= 0 ? (int?)a : Rank + (int)a).ToList();
        if (Front(Axis) is not { } channel || front.Any(a => a is null))
            return (null, $"Squeeze node '{node.LayerName}' drops axes [{string.Join(", ", axes)}] of a value whose rank NeuronKit does not know");
        if (front.Contains(channel)) return (null, $"Squeeze node '{node.LayerName}' drops the channel axis");
        int? stack = Stack is { } s && Front(s) is { } f ? (front.Contains(f) ? null : f - front.Count(a => a < f)) : null;
        return (this with
        {
            Axis = channel - front.Count(a => a < channel),
            Rank = Rank - front.Count,
            Stack = stack,
            StackIndex = stack is null ? 0 : StackIndex,
            StackSize = stack is null ? 1 : StackSize,
        }, null);
    }

    /// <summary>
    /// The layout after an Unsqueeze that inserts axes of size 1 at <paramref name="axes"/>, positions of its output
    /// (https://onnx.ai/onnx/operators/onnx__Unsqueeze.html): an axis inserted at or before where the channels come moves
    /// them one further (an SE gate's w[:, :, None, None] keeps them at 1).
    /// </summary>
    public (OnnxChannelAxis? Next, string? Why) Unsqueeze(GraphNode node, IReadOnlyList<long>? axes)
    {
        if (axes is null) return (null, $"Unsqueeze node '{node.LayerName}' inserts axes computed at run time");
        int? rank = Rank + axes.Count;
        var inserted = axes.Select(a => a >= 0 ? (int?)a : rank + (int)a).ToList();
        if (Front(Axis) is not { } channel || inserted.Any(a => a is null) || inserted.Distinct().Count() != inserted.Count)
            return (null, $"Unsqueeze node '{node.LayerName}' inserts axes [{string.Join(", ", axes)}] into a value whose rank NeuronKit does not know");
        int Moved(int axis)
        {
            foreach (int at in inserted.Select(a => a!.Value).Order())
                if (at <= axis) axis++;
            return axis;
        }
        return (this with { Axis = Moved(channel), Rank = rank, Stack = Stack is { } s && Front(s) is { } stack ? Moved(stack) : null,
            StackIndex = Stack is null ? 0 : StackIndex, StackSize = Stack is null ? 1 : StackSize }, null);
    }

    /// <summary>
    /// Where a Reshape's constant <paramref name="shape"/> puts <paramref name="channels"/> when it only adds axes of size 1
    /// to them and a batch before them at most ([1, C, 1, 1], [0, C, 1, 1], [-1, C]: an SE gate's w.view(1, C, 1, 1)); null
    /// for any other shape.
    /// </summary>
    public static int? UnitAxesChannel(IReadOnlyList<long> shape, long channels)
    {
        var sized = Enumerable.Range(0, shape.Count).Where(i => shape[i] != 1).ToList();
        return sized switch
        {
            [var only] when shape[only] == channels => only,
            [var batch, var channel] when shape[batch] is 0 or -1 && shape[channel] == channels => channel,
            _ => null,
        };
    }

    /// <summary>
    /// The layout after a reduction (ReduceMean, ReduceMax, … over <paramref name="axes"/>; null when it names none): channel
    /// j comes from channel j alone unless the channel axis is reduced, and the reduced axes leave as a Squeeze's do unless
    /// <c>keepdims</c> keeps them (https://onnx.ai/onnx/operators/onnx__ReduceMean.html).
    /// </summary>
    public (OnnxChannelAxis? Next, string? Why) Reduce(GraphNode node, IReadOnlyList<long>? axes)
    {
        if (axes is null or { Count: 0 })
            return node.Int("noop_with_empty_axes", 0) != 0 ? (this, null) : (null, "it reduces every axis, the channels' too");
        var front = axes.Select(a => a >= 0 ? (int?)a : Rank + (int)a).ToList();
        if (Front(Axis) is not { } channel || front.Any(a => a is null))
            return (null, $"it reduces axes [{string.Join(", ", axes)}] of a value whose rank NeuronKit does not know");
        if (front.Contains(channel)) return (null, "it reduces the channel axis, which mixes the channels");
        if (Stack is { } s && (Front(s) is not { } stack || front.Contains(stack)))
            return (null, "it reduces across the axis that stacks the directions");
        return node.Int("keepdims", 1) != 0 ? (this, null) : Squeeze(node, axes);
    }

    /// <summary>
    /// True when a Gather of constant <paramref name="indices"/> takes one direction of a stacked output, and not this
    /// producer's: what it reads holds none of this producer's channels.
    /// </summary>
    public bool TakesAnotherDirection(GraphNode node, (long[] Values, int Rank)? indices)
    {
        int at = (int)node.Int("axis", 0);
        int? axis = at >= 0 ? at : Rank + at, stack = Stack is { } s ? Front(s) : null;
        if (indices is not { Rank: 0 } picked || stack is null || axis != stack) return false;
        long index = picked.Values[0] < 0 ? picked.Values[0] + StackSize : picked.Values[0];
        return index != StackIndex;
    }

    /// <summary>
    /// The layout after a Gather of constant <paramref name="indices"/> on an axis other than the channels': a scalar index
    /// drops the axis (a time step <c>out[-1]</c>; on the stacking axis, a direction <c>h_n[d]</c>, which must be this
    /// producer's), a list of indices keeps it.
    /// </summary>
    public (OnnxChannelAxis? Next, string? Why) Gather(GraphNode node, (long[] Values, int Rank)? indices)
    {
        string op = $"Gather node '{node.LayerName}'";
        int at = (int)node.Int("axis", 0);
        if (indices is not { } picked) return (null, $"{op} takes computed indices");
        int? axis = at >= 0 ? at : Rank + at, channel = Front(Axis), stack = Stack is { } s ? Front(s) : null;
        if (axis is null || channel is null) return (null, $"{op} takes along axis {at} of a value whose rank NeuronKit does not know");
        if (axis == channel) return (null, $"{op} takes some of the channels themselves");
        if (axis == stack)
        {
            if (picked.Rank != 0) return (null, $"{op} takes several directions of the stacked output");
            long index = picked.Values[0] < 0 ? picked.Values[0] + StackSize : picked.Values[0];
            if (index != StackIndex) return (null, $"{op} takes direction {index}, not this one's ({StackIndex})");
        }
        if (picked.Rank != 0) return (this, null);
        int Drop(int a) => a > axis ? a - 1 : a;
        bool stacked = stack is not null && stack != axis;
        return (this with
        {
            Axis = Drop(channel.Value),
            Rank = Rank - 1,
            Stack = stacked ? Drop(stack!.Value) : null,
            StackIndex = stacked ? StackIndex : 0,
            StackSize = stacked ? StackSize : 1,
        }, null);
    }

    /// <summary>
    /// The layout after merging axes [<paramref name="from"/>, rank) into one (a Flatten, or a Reshape that keeps the axes
    /// before <paramref name="from"/>), and where channel j lands in the merged axis: a block of positions per channel
    /// when the channel axis leads the merge (the consumer's width then gives the block's size), or the producer's stack
    /// index · channels + j when only the stacking axis precedes a last channel axis (a bidirectional layer's directions
    /// concatenated). Otherwise channel j would be every C-th input, and the reason is given.
    /// </summary>
    public (OnnxChannelAxis? Next, bool Stacked, string? Why) Merge(GraphNode node, int from)
    {
        string op = $"{node.OpType} node '{node.LayerName}'";
        if (Front(Axis) is not { } channel)
            return (null, false, $"{op} merges axes from {from} on, and NeuronKit does not know the rank that puts the channels on axis {Axis}");
        int? stack = Stack is { } s ? Front(s) : null;
        if (channel < from) return (null, false, $"{op} merges axes from {from} on, and the channels, on axis {channel}, stay before them");
        var merged = new OnnxChannelAxis(from, from + 1);
        if (channel == from && (stack is null || stack < from)) return (merged, false, null);
        if (channel == Rank - 1 && stack == channel - 1 && stack == from) return (merged, true, null);
        return (null, false, $"{op} merges axes {from} to {(Rank is { } r ? r - 1 : "the last")} with the channels on axis {channel} after others: " +
            "channel j would be spread over every C-th input, which NeuronKit does not map");
    }

    private int? Front(int axis) => axis >= 0 ? axis : Rank is { } rank ? rank + axis : null;

    private static long Directions(Layer layer) => layer.Role("W")?.Tensor.Shape is { Count: 3 } shape ? shape[0] : 1;
}
