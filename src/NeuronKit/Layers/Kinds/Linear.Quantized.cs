using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// ONNX's quantized matrix products, read as the Linear (in, out) a MatMul by their constant b is. QLinearMatMul (a, a_scale,
/// a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point): W is b dequantized, per tensor or per column. MatMulInteger
/// (A, B, a_zero_point, b_zero_point) takes no scale: W is B − b_zero_point, unless a dynamic quantization's rescale after it
/// gives the weight's scale, and then an Add of a constant [N] after the rescale is the bias.
/// https://onnx.ai/onnx/operators/onnx__QLinearMatMul.html, https://onnx.ai/onnx/operators/onnx__MatMulInteger.html
/// </summary>
internal sealed partial class Linear
{
    // b's scales and zero points run along its columns: the last axis of [K, N].
    private const int Columns = 1;

    private Layer[]? FromQLinearMatMul(NodeCandidate candidate)
    {
        if (candidate.Constant(3) is not { Shape.Count: 2 } b || candidate.Constant(4) is not { } scale || candidate.IsComputed(5)) return null;
        var weight = candidate.Quantized.Affine($"QLinearMatMul '{candidate.Node.LayerName}'", b, scale, candidate.Constant(5), Columns);
        // Its output is requantized to y_scale: no float value for an Add to read.
        return FromMatMul(candidate, weight.Tensor, "", []);
    }

    private Layer[]? FromMatMulInteger(NodeCandidate candidate)
    {
        if (candidate.Constant(1) is not { Shape.Count: 2 } b || candidate.IsComputed(3)) return null;
        // The rescale multiplies the output [.., N]: one scale, or one per column, shaped as the zero point.
        var zeroPoint = candidate.Constant(3);
        var rescale = DynamicQuantizationScale.Find(candidate) is { } found
            && (found.WeightScale.ElementCount == 1 || found.WeightScale.Shape.SequenceEqual([b.Shape[1]]))
            && (zeroPoint is null || found.WeightScale.Shape.SequenceEqual(zeroPoint.Shape)) ? found : null;
        var weight = candidate.Quantized.Affine($"MatMulInteger '{candidate.Node.LayerName}'", b, rescale?.WeightScale, zeroPoint, Columns);
        return FromMatMul(candidate, weight.Tensor, rescale?.Output.Outputs.FirstOrDefault() ?? "", rescale is null ? [] : [rescale.Evidence]);
    }
}
