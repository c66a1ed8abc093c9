using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// ONNX's fully connected operators. Gemm computes A·B' + C with B [N, K] when transB ≠ 0 (PyTorch's Linear exports so)
/// and [K, N] otherwise; C broadcasts, so it may be one entry per output or a single one. MatMul by a constant [K, N] is a
/// Linear (in, out), and an Add of a constant [N] that alone reads its output is its bias.
/// https://onnx.ai/onnx/operators/onnx__Gemm.html, https://onnx.ai/onnx/operators/onnx__MatMul.html
/// </summary>
internal sealed partial class Linear : INodeKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> OpTypes { get; } = ["Gemm", "MatMul", "QLinearMatMul", "MatMulInteger"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? FromNode(NodeCandidate candidate)
    {
        switch (candidate.Node.OpType)
        {
            case "QLinearMatMul": return FromQLinearMatMul(candidate);
            case "MatMulInteger": return FromMatMulInteger(candidate);
            case "MatMul": return FromMatMul(candidate, candidate.Constant(1), candidate.Node.Outputs.FirstOrDefault() ?? "", []) ?? FromTransposedMatMul(candidate);
        }
        if (candidate.Constant(1) is not { Shape.Count: 2 } weight) return null;
        var node = candidate.Node;
        List<string> aliases = [.. node.Outputs.Where(o => o != "")];
        bool transposed = node.Int("transB", 0) != 0;
        string layout = transposed ? OutIn : InOut;
        long outputs = transposed ? weight.Shape[0] : weight.Shape[1];
        List<string> facts = [candidate.Evidence, transposed
            ? $"transB = 1: B {weight.Shape.Text()} is [out, in], neuron j is row j"
            : $"transB = 0: B {weight.Shape.Text()} is [in, out], neuron j is column j"];
        var c = candidate.Constant(2);
        if (c is not null && !IsBias(c, outputs))
        {
            facts.Add($"C {c.Shape.Text()} is not one entry per output nor one for all, so it is not a neuron part");
            c = null;
        }
        else if (c is not null && c.ElementCount == 1 && outputs != 1)
            facts.Add($"C {c.Shape.Text()} is one bias broadcast to every output: each neuron's bias part is that entry");
        if (candidate.IsComputed(2)) facts.Add("its bias C is computed at run time, so it has no bias part");
        foreach (var (attribute, scales) in (ReadOnlySpan<(string, string)>)[("alpha", "A·B"), ("beta", "C")])
            if (node.Floats.TryGetValue(attribute, out double factor) && factor != 1)
                facts.Add($"{attribute} = {factor} scales {scales} at run time; the stored values are shown");
        return [Layer(new LayerCandidate(candidate.Name, [], null), weight, c, layout, false, facts).Copy(aliases: aliases)];
    }

    /// <summary>
    /// A bias's part for neuron <paramref name="neuron"/>: entry j of a [N] (or [1, N]) bias, or the one entry of a bias that
    /// broadcasts to all <paramref name="outputs"/> (an ONNX Gemm's scalar or [1] C).
    /// </summary>
    private static NeuronPart BiasPart(LayerTensor bias, long neuron, long outputs)
    {
        var shape = bias.Tensor.Shape;
        if (shape.Count == 1 && shape[0] == outputs) return Slices.Row(bias, neuron, PartRole.Bias);
        if (shape.Count == 2 && shape[1] == outputs) return new NeuronPart(bias.Tensor, PartRole.Bias, new TensorSlice(SliceItem.At(0), SliceItem.At(neuron)));
        // The one entry of a [], [1] or [1, 1] bias.
        const string broadcast = "one bias broadcast to every output: every neuron's bias is this entry";
        return new NeuronPart(bias.Tensor, PartRole.Bias, new TensorSlice([.. shape.Select(_ => SliceItem.At(0))]), note: broadcast, shared: outputs > 1);
    }

    // A Gemm's C that is a per-neuron bias: [N] or [1, N], or one entry for all ([], [1], [1, 1]).
    private static bool IsBias(TensorInfo c, long outputs) =>
        c.Shape.Count <= 2 && c.ElementCount is var n && (n == 1 || (n == outputs && c.Shape[^1] == outputs));

    // A MatMul-like node's layer (in, out) from its constant B [K, N] (dequantized ones too), with the bias an Add of a
    // constant [N] adds to `product`, the value holding the float product; null when B is no 2-d constant.
    private Layer[]? FromMatMul(NodeCandidate candidate, TensorInfo? weight, string product, IReadOnlyList<string> facts)
    {
        if (weight is not { Shape.Count: 2 }) return null;
        List<string> aliases = [.. candidate.Node.Outputs.Where(o => o != "")];
        var bias = MatMulBias(candidate, product, weight.Shape[1], out var add);
        if (add is not null) aliases.AddRange([add.LayerName, .. add.Outputs.Where(o => o != "")]);
        List<string> evidence = [candidate.Evidence, $"B {weight.Shape.Text()} is a constant [in, out]: neuron j is column j", .. facts];
        if (add is not null) evidence.Add($"Add node '{add.LayerName}' alone reads its output and adds {bias!.Name} {bias.Shape.Text()}: its bias");
        return [Layer(new LayerCandidate(candidate.Name, [], null), weight, bias, InOut, false, evidence).Copy(aliases: aliases)];
    }

    // A MatMul by the Transpose of a constant [N, K] (perm [1, 0]): torch.onnx.export without constant folding writes a Linear
    // on 3-d input so, keeping the weight as stored, [out, in]: neuron j is row j. Null when B is anything else.
    private Layer[]? FromTransposedMatMul(NodeCandidate candidate)
    {
        if (candidate.Node.Input(1) is not { } input || candidate.Producer(input) is not { OpType: "Transpose" } transpose
            || transpose.Input(0) is not { } source || candidate.ConstantNamed(source) is not { Shape.Count: 2 } weight
            || transpose.IntLists.GetValueOrDefault("perm") is { } perm && !perm.SequenceEqual([1L, 0L]))
            return null;
        List<string> aliases = [.. candidate.Node.Outputs.Where(o => o != "")];
        var bias = MatMulBias(candidate, candidate.Node.Outputs.FirstOrDefault() ?? "", weight.Shape[0], out var add);
        if (add is not null) aliases.AddRange([add.LayerName, .. add.Outputs.Where(o => o != "")]);
        List<string> evidence = [candidate.Evidence, $"B is Transpose node '{transpose.LayerName}' of the constant {weight.Name} " +
            $"{weight.Shape.Text()}, which is therefore [out, in]: neuron j is row j"];
        if (add is not null) evidence.Add($"Add node '{add.LayerName}' alone reads its output and adds {bias!.Name} {bias.Shape.Text()}: its bias");
        return [Layer(new LayerCandidate(candidate.Name, [], null), weight, bias, OutIn, false, evidence).Copy(aliases: aliases)];
    }

    // The constant [N] an Add adds to `product`, when that Add is its only reader.
    private static TensorInfo? MatMulBias(NodeCandidate candidate, string product, long outputs, out Formats.GraphNode? add)
    {
        add = null;
        var readers = candidate.Readers(product);
        if (readers is not [{ OpType: "Add" } reader] || reader.Inputs.Count != 2) return null;
        string other = reader.Inputs[0] == product ? reader.Inputs[1] : reader.Inputs[0];
        if (candidate.ConstantNamed(other) is not { Shape.Count: 1 } bias || bias.Shape[0] != outputs) return null;
        add = reader;
        return bias;
    }
}
