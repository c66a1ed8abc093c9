using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// ONNX's LSTM, GRU and RNN operators: W [D, G·H, in], R [D, G·H, H], B [D, 2·G·H] (Wb then Rb), with the gates in the
/// table's ONNX order, so hidden unit j of direction d is W[d, g·H + j] for each gate g. One layer per direction.
/// Only the node tells these tensors apart from any other 3-d ones, so they are never matched by names or shapes.
/// https://onnx.ai/onnx/operators/onnx__LSTM.html (anchors.md §3a)
/// </summary>
internal abstract class OnnxRecurrent(GateTable table) : ILayerKind, INodeKind
{
    private static readonly Dictionary<string, string[]> Directions = new(StringComparer.Ordinal)
    {
        ["forward"] = ["forward"],
        ["reverse"] = ["reverse"],
        ["bidirectional"] = ["forward", "reverse"],
    };

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<string> OpTypes { get; } = [table.Name];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) => null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request) =>
        throw new RequestException($"an ONNX {table.Name} layer is made from its graph node only, and '{candidate.Module}' is not one");

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? FromNode(NodeCandidate candidate)
    {
        var node = candidate.Node;
        if (candidate.Constant(1) is not { } w || candidate.Constant(2) is not { } r
            || !Directions.TryGetValue(node.Strings.GetValueOrDefault("direction", "forward"), out var directions))
            return null;
        int gates = table.Gates.Count;
        bool stacked = w.Shape.Count == 3; // rank 2 is the pre-2018 exporters' single direction without the D axis
        if (!stacked && (w.Shape.Count != 2 || directions.Length != 1)) return null;
        long hidden = node.Int("hidden_size", r.Shape.Count > 0 ? r.Shape[^1] : 0);
        if (hidden <= 0 || hidden > long.MaxValue / (2 * gates)) return null;
        long rows = gates * hidden;
        long[] lead = stacked ? [directions.Length] : [];
        if (!w.Shape.SequenceEqual([.. lead, rows, w.Shape[^1]]) || !r.Shape.SequenceEqual([.. lead, rows, hidden]))
            return null;
        var b = candidate.Constant(3);
        var p = table.Peepholes > 0 ? candidate.Constant(7) : null;
        if ((b is not null && !b.Shape.SequenceEqual([.. lead, 2 * rows])) || (p is not null && !p.Shape.SequenceEqual([.. lead, table.Peepholes * hidden])))
            return null;
        List<LayerTensor> tensors = [new("W", w), new("R", r)];
        if (b is not null) tensors.Add(new("B", b));
        if (p is not null) tensors.Add(new("P", p));

        List<string> evidence = [candidate.Evidence,
            $"W {w.Shape.Text()} = [{(stacked ? "D, " : "")}{(gates == 1 ? "" : gates)}H, in] with H = {hidden}, gates {(gates == 1 ? "none" : table.Letters)} (ONNX order)"];
        if (candidate.IsComputed(3)) evidence.Add("its bias B is computed at run time, so it has no bias parts");
        if (node.Ints.TryGetValue("linear_before_reset", out long linear))
            evidence.Add($"linear_before_reset = {linear}: {(linear != 0 ? "the reset gate multiplies (R_h·H + Rb_h), as PyTorch's GRU does" : "the reset gate multiplies H before R_h")}");
        // linear_before_reset moves GRU's Rb_h inside the reset gate's product, so the hidden gate's biases no longer add.
        var gateTable = linear != 0 && table == GateTable.OnnxGru ? GateTable.OnnxGruLinearBeforeReset : table;
        string layout = $"W [{(stacked ? "D, " : "")}{(gates == 1 ? "" : gates)}H, in], R [{(stacked ? "D, " : "")}{(gates == 1 ? "" : gates)}H, H], " +
            $"B [{(stacked ? "D, " : "")}{2 * gates}H] (Wb then Rb)" + (gates == 1 ? "" : $", gates {table.Letters}");
        return [.. directions.Select((direction, d) => new Layer
        {
            Name = directions.Length == 1 ? candidate.Name : $"{candidate.Name}.{direction}",
            Kind = table.Name,
            NeuronCount = hidden,
            Tensors = tensors,
            Layout = layout,
            Evidence = [.. evidence, $"direction {direction}{(stacked ? $": index {d} of dim 0 of W, R and B" : "")}"],
            Module = directions.Length == 1 ? null : candidate.Name,
            Aliases = directions.Length == 1 ? candidate.Node.Outputs.Where(o => o != "").ToList() : [],
            StackIndex = d,
            Gates = gateTable,
            Implementation = this,
        })];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        long hidden = layer.NeuronCount;
        int gates = table.Gates.Count;
        List<NeuronPart> parts = [];
        for (int g = 0; g < gates; g++)
        {
            long row = g * hidden + neuron;
            var gate = table.Gates[g];
            string? note = gate is null ? null :
                $"ONNX {table.Name} stacks its gates ({table.Letters}) in blocks of H = {hidden} rows: row {g}·{hidden} + {neuron} = {row} " +
                $"is the {gate} gate of unit {neuron}";
            parts.Add(Entry(layer, "W", PartRole.W, row, gate, note));
            parts.Add(Entry(layer, "R", PartRole.R, row, gate, note));
            if (layer.Role("B") is not null)
            {
                parts.Add(Entry(layer, "B", PartRole.Wb, row, gate, note));
                parts.Add(Entry(layer, "B", PartRole.Rb, gates * hidden + row, gate,
                    $"B holds Wb then Rb, {gates * hidden} entries each: entry {gates * hidden} + {row} = {gates * hidden + row} is Rb of " +
                    (gate is null ? $"unit {neuron}" : $"the {gate} gate of unit {neuron}")));
            }
            if (g < table.Peepholes && layer.Role("P") is not null)
                parts.Add(Entry(layer, "P", PartRole.P, row, gate, $"P holds one block of H per peephole ({string.Join(", ", table.Gates.Take(table.Peepholes))}): entry {row} is the {gate} gate's of unit {neuron}"));
        }
        return parts;
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("W")!.Tensor.Shape[^1];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups) => GateColumns(layer, "W", PartRole.W, first, count);

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? FeedbackParts(Layer layer, long unit) => GateColumns(layer, "R", PartRole.R, unit, 1);

    // Columns [first, first + count) of every gate's block of H rows of W or R, in the layer's direction, one part per gate in ONNX order.
    private IReadOnlyList<NeuronPart> GateColumns(Layer layer, string tensorRole, PartRole role, long first, long count)
    {
        var tensor = layer.Role(tensorRole)!.Tensor;
        long hidden = layer.NeuronCount;
        var columns = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        return [.. table.Gates.Select((gate, g) =>
        {
            var rows = SliceItem.Range(g * hidden, (g + 1) * hidden);
            var slice = tensor.Shape.Count == 3 ? new TensorSlice(SliceItem.At(layer.StackIndex), rows, columns) : new TensorSlice(rows, columns);
            return new NeuronPart(tensor, role, slice, gate);
        })];
    }

    // Entry row of the tensor playing role, in the layer's direction: [d, row] of a stacked tensor, [row] of a rank-2 one.
    private static NeuronPart Entry(Layer layer, string tensorRole, PartRole role, long row, Gate? gate, string? note)
    {
        bool stacked = layer.Role("W")!.Tensor.Shape.Count == 3;
        var slice = stacked ? new TensorSlice(SliceItem.At(layer.StackIndex), SliceItem.At(row)) : TensorSlice.Row(row);
        return new NeuronPart(layer.Role(tensorRole)!.Tensor, role, slice, gate, note);
    }
}
