using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// ONNX's quantized convolutions, read as the convolution they compute. QLinearConv (x, x_scale, x_zero_point, w, w_scale,
/// w_zero_point, y_scale, y_zero_point, B): W is w dequantized, per tensor or per output channel, and the int32 B is
/// dequantized with scale x_scale · w_scale[j] and zero point 0. ConvInteger (x, w, x_zero_point, w_zero_point) takes no
/// scale: W is w − w_zero_point, unless a dynamic quantization's rescale after it gives the weight's scale (and then the
/// bias it adds after the rescale is the bias).
/// https://onnx.ai/onnx/operators/onnx__QLinearConv.html, https://onnx.ai/onnx/operators/onnx__ConvInteger.html
/// </summary>
internal sealed partial class Conv
{
    private Layer[]? FromQLinearConv(NodeCandidate candidate)
    {
        if (candidate.Constant(3) is not { } w || candidate.Constant(4) is not { } scale) return null;
        var zeroPoint = candidate.Constant(5);
        if (candidate.IsComputed(5)) return null;
        string by = $"QLinearConv '{candidate.Node.LayerName}'";
        var weight = candidate.Quantized.Affine(by, w, scale, zeroPoint, 0);
        List<string> facts = [];
        TensorInfo? bias = candidate.Constant(8);
        if (bias is not null && candidate.Constant(1) is { } inputScale)
            bias = candidate.Quantized.Bias(by, bias, inputScale, weight).Tensor;
        else if (bias is not null)
            facts.Add($"its bias {bias.Name} is scaled by x_scale · w_scale, and x_scale is computed at run time: the stored integers are shown");
        return FromOperands(candidate, weight.Tensor, bias, candidate.IsComputed(8), facts);
    }

    private Layer[]? FromConvInteger(NodeCandidate candidate)
    {
        if (candidate.Constant(1) is not { } w || !IsConvRank(w.Shape.Count) || candidate.IsComputed(3)) return null;
        // The rescale multiplies the output [N, M, …]: only a single scale, shaped as the zero point, is per tensor there.
        var zeroPoint = candidate.Constant(3);
        var rescale = DynamicQuantizationScale.Find(candidate) is { WeightScale.ElementCount: 1 } found
            && (zeroPoint is null || found.WeightScale.Shape.SequenceEqual(zeroPoint.Shape)) ? found : null;
        var weight = candidate.Quantized.Affine($"ConvInteger '{candidate.Node.LayerName}'", w, rescale?.WeightScale, zeroPoint, 0);
        if (rescale is null) return FromOperands(candidate, weight.Tensor, null, false, []);
        var (bias, add, reshape) = RescaledBias(candidate, rescale, w);
        if (bias is null) return FromOperands(candidate, weight.Tensor, null, false, [rescale.Evidence]);
        var layers = FromOperands(candidate, weight.Tensor, bias, false, [rescale.Evidence,
            $"Add node '{add!.LayerName}' alone reads the rescaled output and adds {bias.Name} {bias.Shape.Text()}, reshaped to " +
            $"[1, M, 1, …] by Reshape '{reshape!.LayerName}': its bias"]);
        return layers?.Select(l => l.Copy(aliases: [.. l.Aliases, add.LayerName, .. add.Outputs.Where(o => o != "")])).ToArray();
    }

    // ONNX Runtime's dynamic ConvInteger adds the float Conv's bias B [M] after the rescale, reshaped to broadcast along the
    // channels: Add(·, Reshape(B, [1, -1, 1, …])) (onnxruntime/python/tools/quantization/operators/conv.py, add_bias).
    private static (TensorInfo? Bias, GraphNode? Add, GraphNode? Reshape) RescaledBias(NodeCandidate candidate,
        DynamicQuantizationScale rescale, TensorInfo weight)
    {
        long outputs = weight.Shape[0];
        if (rescale.Output.Outputs is not [var scaled, ..] || candidate.Readers(scaled) is not [{ OpType: "Add", Inputs.Count: 2 } add])
            return (null, null, null);
        string other = add.Inputs[0] == scaled ? add.Inputs[1] : add.Inputs[0];
        if (candidate.Producer(other) is not { OpType: "Reshape" } reshape || reshape.Input(0) is not { } source || reshape.Input(1) is not { } shapeName
            || candidate.ConstantNamed(source) is not { } bias || !bias.Shape.SequenceEqual([outputs])
            || candidate.ConstantNamed(shapeName) is not { DType: DType.Int64, Shape.Count: 1 } shape
            || shape.ElementCount != weight.Shape.Count)
            return (null, null, null);
        double[] dims = shape.View().ToDoubles();
        bool channels = dims[1] == -1 || dims[1] == outputs;
        return channels && dims.Where((d, i) => i != 1).All(d => d == 1) ? (bias, add, reshape) : (null, null, null);
    }
}
