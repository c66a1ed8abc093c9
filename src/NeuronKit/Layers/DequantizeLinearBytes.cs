using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// An ONNX quantized constant's stored integers seen as float32 bytes: the values <c>DequantizeLinear</c> gives.
/// </summary>
internal sealed class DequantizeLinearBytes(Quantization quantization) : DequantizedBytes(quantization)
{
    // ONNX DequantizeLinear: y = (x - x_zero_point) * x_scale in float32. ONNX Runtime computes
    // float(int32(x) - zero_point) * scale (onnxruntime/core/providers/cpu/quantization/quantize_linear.cc); the onnx
    // reference, (float32(x) - float32(zero_point)) * scale (onnx/reference/ops/op_dequantize_linear.py). Both are this
    // one float32 product: 8- and 16-bit differences are exact in float32, and int32 has zero point 0.
    /// <inheritdoc/>
    protected override float Dequantize(long q, long element)
    {
        int channel = (int)Quantization.ChannelOf(element);
        return (float)(q - (long)Quantization.ZeroPoints[channel]) * (float)Quantization.Scales[channel];
    }

    // ONNX QuantizeLinear: saturate(round_half_to_even(x / y_scale) + y_zero_point), the division in float32.
    /// <inheritdoc/>
    protected override long Quantize(float value, long element)
    {
        int channel = (int)Quantization.ChannelOf(element);
        return (long)MathF.Round(value / (float)Quantization.Scales[channel], MidpointRounding.ToEven) + (long)Quantization.ZeroPoints[channel];
    }
}
