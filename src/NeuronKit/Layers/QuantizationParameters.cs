using NeuronKit.Formats;

namespace NeuronKit.Layers;

/// <summary>
/// Which inputs of ONNX's quantization operators are scales and zero points. A constant the graph reads only there
/// (an activation's scale beside a QuantizeLinear) belongs to no layer's weights, as a shape or an axis does not.
/// </summary>
internal static class QuantizationParameters
{
    // https://onnx.ai/onnx/operators/ : the input positions of x_scale, x_zero_point and their kin, by operator.
    private static readonly Dictionary<string, int[]> Inputs = new(StringComparer.Ordinal)
    {
        ["QuantizeLinear"] = [1, 2],        // x, y_scale, y_zero_point
        ["DequantizeLinear"] = [1, 2],      // x, x_scale, x_zero_point
        ["QLinearConv"] = [1, 2, 4, 5, 6, 7], // x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B
        ["QLinearMatMul"] = [1, 2, 4, 5, 6, 7], // a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
        ["MatMulInteger"] = [2, 3],         // A, B, a_zero_point, b_zero_point
        ["ConvInteger"] = [2, 3],           // x, w, x_zero_point, w_zero_point
    };

    /// <summary>The values every reader of which takes as a scale or a zero point.</summary>
    public static HashSet<string> ReadOnlyAsParameters(IReadOnlyList<GraphNode> nodes)
    {
        var asParameter = new HashSet<string>(StringComparer.Ordinal);
        var otherwise = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            int[] slots = node.Domain is "" or "ai.onnx" ? Inputs.GetValueOrDefault(node.OpType, []) : [];
            for (int i = 0; i < node.Inputs.Count; i++)
                if (node.Inputs[i] != "") (slots.Contains(i) ? asParameter : otherwise).Add(node.Inputs[i]);
        }
        asParameter.ExceptWith(otherwise);
        return asParameter;
    }
}
