using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// The weight scale of an integer operator (<c>MatMulInteger</c>, <c>ConvInteger</c>), which takes none itself, where
/// ONNX Runtime's dynamic quantization writes it: op → Cast(to float) → Mul(·, s), s = Mul(x_scale, W_scale), x_scale
/// computed at run time by DynamicQuantizeLinear and W_scale a constant.
/// (onnxruntime/python/tools/quantization, QuantizationMode.IntegerOps)
/// </summary>
/// <param name="WeightScale">The constant factor of s: the weight's scale.</param>
/// <param name="Output">The Mul whose output is the float result: what a bias Add reads.</param>
/// <param name="Evidence">The chain, node by node.</param>
internal sealed record DynamicQuantizationScale(TensorInfo WeightScale, GraphNode Output, string Evidence)
{
    private const int Float = 1; // TensorProto.DataType FLOAT, Cast's `to`

    /// <summary>The chain after <paramref name="candidate"/>'s node, or null when the graph has no such chain.</summary>
    public static DynamicQuantizationScale? Find(NodeCandidate candidate)
    {
        if (candidate.Consumers(0) is not [{ OpType: "Cast" } cast] || cast.Int("to", 0) != Float || cast.Outputs is not [var casted, ..])
            return null;
        if (candidate.Readers(casted) is not [{ OpType: "Mul", Inputs.Count: 2 } mul]) return null;
        string factor = mul.Inputs[0] == casted ? mul.Inputs[1] : mul.Inputs[0];
        if (candidate.Producer(factor) is not { OpType: "Mul", Inputs.Count: 2 } product) return null;
        // One factor is the input's scale (computed at run time), the other the weight's (a constant); two constants cannot be told apart.
        var weightScale = product.Inputs.Select(candidate.ConstantNamed).ToArray() switch
        {
            [null, { } w] => w,
            [{ } w, null] => w,
            _ => null,
        };
        return weightScale is null ? null : new(weightScale, mul,
            $"Cast '{cast.LayerName}' and Mul '{mul.LayerName}' scale its output by Mul '{product.LayerName}' of the input's scale " +
            $"and {weightScale.Name}, as ONNX Runtime's dynamic quantization writes it: {weightScale.Name} is the weight's scale");
    }
}
