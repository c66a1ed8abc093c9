using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// RNN, LSTM and GRU, told apart by their gate table: each sub-layer (<c>weight_ih_l{k}[_reverse]</c>, …) stacks one
/// block of H rows per gate, so hidden unit j is row g·H + j of every gate g. A cell (<c>LSTMCell</c>) is one sub-layer
/// whose tensors carry no <c>_l{k}</c>.
/// </summary>
internal abstract class Recurrent(GateTable table) : ILayerKind
{
    // The tensors stacking one block of H rows per gate, in the order a gate's parts are listed, with their roles.
    private static readonly (string Tensor, PartRole Role)[] Stacked =
    [
        ("weight_ih", PartRole.WeightIh),
        ("weight_hh", PartRole.WeightHh),
        ("bias_ih", PartRole.BiasIh),
        ("bias_hh", PartRole.BiasHh),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [table.Name, table.CellName!];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        List<Layer> layers = [];
        foreach (var sub in SubLayers(candidate, out _))
        {
            var fit = Fit(sub);
            if (fit.Reason is not null || fit.GateCount != table.Gates.Count || !ProjectionFits(sub)) continue;
            var ih = sub.Find("weight_ih")!;
            layers.Add(Layer(candidate, sub, fit,
                [$"tensor names {RoleName(ih)} and {RoleName(sub.Find("weight_hh")!)} are PyTorch's recurrent parameters"]));
        }
        return layers.Count > 0 ? layers : null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        bool cell = request.Name == table.CellName;
        var subs = SubLayers(candidate, out var strangers);
        if (strangers.Count > 0)
            throw new RequestException($"{request.Name} has no tensor like {strangers[0].Tensor.Name} " +
                "(it reads weight_ih, weight_hh, bias_ih, bias_hh, weight_hr with PyTorch's _l{k}[_reverse] suffixes)");
        if (subs.Count == 0)
            throw new RequestException($"{request.Name} needs weight_ih and weight_hh tensors, and '{candidate.Module}' has none");
        List<Layer> layers = [];
        foreach (var sub in subs)
        {
            if (cell != (sub.Suffix == ""))
                throw new RequestException(cell
                    ? $"{request.Name} has no sub-layers, but {sub.Tensors[0].Tensor.Name} names one; ask for {table.Name}"
                    : $"{request.Name} names its tensors by sub-layer (weight_ih_l0), but {sub.Tensors[0].Tensor.Name} has none; ask for {table.CellName}");
            var fit = Fit(sub);
            if (fit.Reason is not null) throw new RequestException($"{request.Name} cannot read '{candidate.Module}': {fit.Reason}");
            if (fit.GateCount != table.Gates.Count)
            {
                var ih = sub.Find("weight_ih")!;
                throw new RequestException($"{ih.Name} has {ih.Shape[0]} rows = {fit.GateCount} × H (H = {fit.Hidden}), " +
                    $"but {request.Name} stacks {table.Gates.Count} {(table.Gates.Count == 1 ? "block" : "gates")} of H rows");
            }
            if (!ProjectionFits(sub))
                throw new RequestException($"{request.Name} has no projection, but '{candidate.Module}' has {sub.Find("weight_hr")!.Name}");
            layers.Add(Layer(candidate, sub, fit, [request.Evidence]));
        }
        return layers;
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        long hidden = layer.NeuronCount;
        List<NeuronPart> parts = [];
        for (int g = 0; g < table.Gates.Count; g++)
        {
            long row = g * hidden + neuron;
            var gate = table.Gates[g];
            string? note = gate is null ? null :
                $"{table.Name} stacks its gates ({table.Letters}) in blocks of H = {hidden} rows: row {g}·{hidden} + {neuron} = {row} " +
                $"is the {gate} gate of unit {neuron}";
            foreach (var (name, role) in Stacked)
                if (layer.Role(name) is { } tensor)
                    parts.Add(Slices.Row(tensor, row, role, gate, note));
        }
        if (layer.Role("weight_hr") is { } projection)
            parts.Add(Slices.Column(projection, neuron, PartRole.WeightHr,
                note: $"column {neuron}: weight_hr is [proj_size, H], so unit {neuron}'s projection weights are a column"));
        return parts;
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight_ih")!.Tensor.Shape[1];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups) => GateColumns(layer, "weight_ih", PartRole.WeightIh, first, count);

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? FeedbackParts(Layer layer, long unit) =>
        layer.Role("weight_hr") is null ? GateColumns(layer, "weight_hh", PartRole.WeightHh, unit, 1) : null;

    // Columns [first, first + count) of every gate's block of H rows of a [gates·H, in] tensor, one part per gate in storage order.
    private IReadOnlyList<NeuronPart> GateColumns(Layer layer, string role, PartRole partRole, long first, long count)
    {
        var tensor = layer.Role(role)!.Tensor;
        long hidden = layer.NeuronCount;
        var columns = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        return [.. table.Gates.Select((gate, g) => new NeuronPart(tensor, partRole, new TensorSlice(SliceItem.Range(g * hidden, (g + 1) * hidden), columns), gate))];
    }

    private Layer Layer(LayerCandidate candidate, SubLayer sub, SubLayerFit fit, List<string> evidence)
    {
        var ih = sub.Find("weight_ih")!;
        var hh = sub.Find("weight_hh")!;
        var hr = sub.Find("weight_hr");
        bool cell = sub.Suffix == "";
        string kind = cell ? table.CellName! : table.Name;
        string blocks = table.Gates.Count == 1 ? "H" : $"{table.Gates.Count} × H";
        string gates = table.Gates.Count == 1 ? "one block, no gates" : $"gates {table.Letters}";
        evidence.Add($"{RoleName(ih)} has {ih.Shape[0]} rows = {blocks} with H = {fit.Hidden} (the columns of {RoleName(hr ?? hh)}): {kind}, {gates}");
        if (hr is not null)
            evidence.Add($"{RoleName(hr)} {hr.Shape.Text()} projects the {fit.Hidden} hidden units to proj_size {hr.Shape[0]}");
        string rows = table.Gates.Count == 1 ? "[H, in]" : $"[{table.Gates.Count}H, in], gates {table.Letters}";
        return new Layer
        {
            Name = cell ? candidate.Module : (candidate.Module == "" ? "" : candidate.Module + ".") + sub.Suffix[1..],
            Kind = kind,
            NeuronCount = fit.Hidden,
            Tensors = sub.Tensors,
            Layout = hr is null ? rows : rows + ", weight_hr [proj, H]",
            Evidence = evidence,
            Module = cell ? null : candidate.Module,
            Gates = table,
            Implementation = this,
        };
    }

    // The sub-layers in order of first appearance, each with its tensors under their roles (weight_ih, …).
    private static List<SubLayer> SubLayers(LayerCandidate candidate, out List<LayerTensor> strangers)
    {
        List<SubLayer> subs = [];
        strangers = [];
        foreach (var tensor in candidate.Tensors)
        {
            var match = NameConventions.RecurrentParameter().Match(tensor.Role);
            if (!match.Success)
            {
                strangers.Add(tensor);
                continue;
            }
            string suffix = match.Groups["sublayer"].Value;
            var sub = subs.FirstOrDefault(s => s.Suffix == suffix);
            if (sub is null) subs.Add(sub = new SubLayer(suffix, []));
            sub.Tensors.Add(new LayerTensor(match.Groups["role"].Value, tensor.Tensor));
        }
        return subs;
    }

    // H and the number of gate blocks, or why the sub-layer's shapes are not a recurrent layer's.
    private static SubLayerFit Fit(SubLayer sub)
    {
        var ih = sub.Find("weight_ih");
        var hh = sub.Find("weight_hh");
        var hr = sub.Find("weight_hr");
        string name = $"sub-layer {(sub.Suffix == "" ? "" : sub.Suffix[1..] + " ")}";
        if (ih is not { Shape.Count: 2 } || hh is not { Shape.Count: 2 })
            return new(0, 0, $"{name}needs 2-d weight_ih and weight_hh");
        if (hr is not null && (hr.Shape.Count != 2 || hr.Shape[0] != hh.Shape[1]))
            return new(0, 0, $"{hr.Name} is {hr.Shape.Text()}, not [proj_size, H] with proj_size = {hh.Shape[1]} (the columns of {hh.Name})");
        long hidden = hr is null ? hh.Shape[1] : hr.Shape[1];
        long rows = ih.Shape[0];
        if (hidden <= 0 || rows % hidden != 0)
            return new(0, 0, $"{ih.Name} has {rows} rows, not a multiple of H = {hidden}");
        if (hh.Shape[0] != rows)
            return new(0, 0, $"{hh.Name} has {hh.Shape[0]} rows, but {ih.Name} has {rows}");
        foreach (string role in (string[])["bias_ih", "bias_hh"])
            if (sub.Find(role) is { } bias && (bias.Shape.Count != 1 || bias.Shape[0] != rows))
                return new(0, 0, $"{bias.Name} is {bias.Shape.Text()}, but {ih.Name} has {rows} rows");
        return new(hidden, rows / hidden, null);
    }

    // Only LSTM has proj_size.
    private bool ProjectionFits(SubLayer sub) => sub.Find("weight_hr") is null || table == GateTable.Lstm;

    private static string RoleName(TensorInfo tensor) => LayerCandidate.RoleOf(tensor.Name);

    private sealed record SubLayer(string Suffix, List<LayerTensor> Tensors)
    {
        public TensorInfo? Find(string role) => Tensors.FirstOrDefault(t => t.Role == role)?.Tensor;
    }

    private sealed record SubLayerFit(long Hidden, long GateCount, string? Reason);
}
