using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// Keras' LSTM, GRU and SimpleRNN (their cell's weights): kernel [in, G·u], recurrent_kernel [u, G·u] and bias [G·u], the
/// gates in column blocks of u in the table's order, so unit j of gate g is column g·u + j of each. A GRU with
/// reset_after (Keras' default) keeps bias [2, G·u], an input and a recurrent bias per gate. Known by class, or by the
/// three names with shapes that fit this kind's G.
/// keras/src/layers/rnn/lstm.py, gru.py, simple_rnn.py (LSTMCell.build: <c>kernel (input_dim, units * 4)</c>)
/// </summary>
internal abstract class KerasRecurrent(string className, GateTable table) : ILayerKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [className];

    private int GateCount => table.Gates.Count;

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) =>
        candidate.HasOnly("kernel", "recurrent_kernel", "bias") && Fit(candidate, out _) is { } layer ? [layer] : null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "kernel", "recurrent_kernel", "bias");
        return Fit(candidate, out string why, request.Evidence) is { } layer ? [layer]
            : throw new RequestException($"'{candidate.Module}' is not a {request.Name}: {why}");
    }

    // The layer the candidate's kernel, recurrent_kernel and bias make with this kind's gates, or null saying why not.
    private Layer? Fit(LayerCandidate candidate, out string why, string? evidence = null)
    {
        why = "";
        var (kernel, recurrent, bias) = (candidate.Find("kernel"), candidate.Find("recurrent_kernel"), candidate.Find("bias"));
        if (kernel is not { Shape.Count: 2 } || recurrent is not { Shape: [var units, var columns] })
        {
            why = "it needs a 2-d kernel and recurrent_kernel";
            return null;
        }
        if (units <= 0 || columns != GateCount * units || kernel.Shape[1] != columns)
        {
            why = $"kernel {kernel.Shape.Text()} and recurrent_kernel {recurrent.Shape.Text()} are not [in, {GateCount}u] and [u, {GateCount}u]";
            return null;
        }
        bool twoBiases = bias is { Shape: [2, var b] } && b == columns && table.Name == "GRU";
        if (bias is not null && !twoBiases && !bias.Shape.SequenceEqual([columns]))
        {
            why = $"bias {bias.Shape.Text()} is not [{columns}]{(table.Name == "GRU" ? $" nor [2, {columns}]" : "")}";
            return null;
        }
        var gates = twoBiases ? GateTable.KerasGruResetAfter : table;
        string blocks = GateCount == 1 ? "u" : $"{GateCount}u";
        string layout = $"kernel [in, {blocks}], recurrent_kernel [u, {blocks}], bias [{(twoBiases ? "2, " : "")}{blocks}]" +
            (GateCount == 1 ? "" : $", gates {table.Letters} in column blocks");
        List<string> facts = [$"kernel {kernel.Shape.Text()}, recurrent_kernel {recurrent.Shape.Text()}: u = {units}, " +
            (GateCount == 1 ? "one block" : $"{GateCount} gate blocks ({table.Letters}, Keras' order)") + ", unit j is column g·u + j of each"];
        if (twoBiases) facts.Add("bias [2, 3u]: an input bias and a recurrent bias per gate (reset_after)");
        return new Layer
        {
            Name = candidate.Module,
            Kind = table.Name,
            NeuronCount = units,
            Tensors = [new("kernel", kernel), new("recurrent_kernel", recurrent), .. bias is null ? Array.Empty<LayerTensor>() : [new("bias", bias)]],
            Layout = layout,
            Evidence = evidence is null ? facts : [evidence, .. facts],
            Gates = gates,
            Implementation = this,
        };
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        long units = layer.NeuronCount;
        var bias = layer.Role("bias");
        List<NeuronPart> parts = [];
        for (int g = 0; g < GateCount; g++)
        {
            long column = g * units + neuron;
            var gate = table.Gates[g];
            string? note = gate is null ? null :
                $"Keras' {table.Name} keeps its gates ({table.Letters}) in column blocks of u = {units}: column {g}·{units} + {neuron} = {column} is the {gate} gate of unit {neuron}";
            parts.Add(Slices.Column(layer.Role("kernel")!, column, PartRole.Kernel, gate, note));
            parts.Add(Slices.Column(layer.Role("recurrent_kernel")!, column, PartRole.RecurrentKernel, gate, note));
            if (bias is { Tensor.Shape.Count: 2 })
            {
                parts.Add(new NeuronPart(bias.Tensor, PartRole.InputBias, new TensorSlice(SliceItem.At(0), SliceItem.At(column)), gate, note));
                parts.Add(new NeuronPart(bias.Tensor, PartRole.RecurrentBias, new TensorSlice(SliceItem.At(1), SliceItem.At(column)), gate, note));
            }
            else if (bias is not null)
            {
                parts.Add(Slices.Row(bias, column, PartRole.Bias, gate, note));
            }
        }
        return parts;
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("kernel")!.Tensor.Shape[0];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups) =>
        GateRows(layer, "kernel", PartRole.Kernel, first, count);

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? FeedbackParts(Layer layer, long unit) => GateRows(layer, "recurrent_kernel", PartRole.RecurrentKernel, unit, 1);

    // Rows [first, first + count) of every gate's block of u columns, one part per gate in Keras' order.
    private IReadOnlyList<NeuronPart> GateRows(Layer layer, string tensorRole, PartRole role, long first, long count)
    {
        var tensor = layer.Role(tensorRole)!.Tensor;
        long units = layer.NeuronCount;
        var rows = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        return [.. table.Gates.Select((gate, g) => new NeuronPart(tensor, role, new TensorSlice(rows, SliceItem.Range(g * units, (g + 1) * units)), gate))];
    }
}
