using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// A PyTorch quantized tensor's storage seen as float32 bytes, so a plain <see cref="TensorView"/> reads the values
/// <c>tensor.dequantize()</c> gives.
/// </summary>
internal sealed class DequantizedQTensor(Quantization quantization) : DequantizedBytes(quantization)
{
    private readonly bool _floatParams = quantization.Scheme == TorchTensorBuilder.PerChannelAffineFloatQParams;

    // PyTorch 1.13's CPU kernels, matched bit for bit: per tensor, float((int32)(q - zero_point)) * float(scale)
    // (int32 arithmetic, wrapping as the C++ does for qint32); per channel, float((q - zero_point) * scale) in
    // int64 and double; with float qparams, (float(q) - zero_point) * scale all in float
    // (aten/src/ATen/native/quantized/affine_quantizer_base.cpp, cpu/kernels/QuantizedOpKernels.cpp).
    /// <inheritdoc/>
    protected override float Dequantize(long q, long element)
    {
        if (Quantization.Axis is null)
            return unchecked((int)q - (int)Quantization.ZeroPoints[0]) * (float)Quantization.Scales[0];
        int channel = (int)Quantization.ChannelOf(element);
        return _floatParams
            ? ((float)q - (float)Quantization.ZeroPoints[channel]) * (float)Quantization.Scales[channel]
            : (float)((q - (long)Quantization.ZeroPoints[channel]) * Quantization.Scales[channel]);
    }

    // PyTorch 1.13's quantize_val without FBGEMM (Debian's build): zero_point + nearbyint(value * (1 / float(scale))) in
    // float; with float qparams, lrintf(value * inv_scale + zero_point) (affine_quantizer_base.cpp).
    /// <inheritdoc/>
    protected override long Quantize(float value, long element)
    {
        int channel = Quantization.Axis is null ? 0 : (int)Quantization.ChannelOf(element);
        float inverse = 1.0f / (float)Quantization.Scales[channel];
        return _floatParams
            ? (long)MathF.Round(value * inverse + (float)Quantization.ZeroPoints[channel], MidpointRounding.ToEven)
            : (long)(Quantization.ZeroPoints[channel] + MathF.Round(value * inverse, MidpointRounding.ToEven));
    }
}
