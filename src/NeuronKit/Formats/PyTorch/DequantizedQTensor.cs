using System.Buffers.Binary;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// A PyTorch quantized tensor's storage seen as float32 bytes, element for element, so a plain <see cref="TensorView"/>
/// with the tensor's own strides and offset reads the values <c>tensor.dequantize()</c> gives; only the elements asked
/// for are decoded.
/// </summary>
internal sealed class DequantizedQTensor(Quantization quantization) : DecodedBytes
{
    private readonly TensorStorage _integers = quantization.Integers;
    private readonly int _integerSize = quantization.IntegerType.Size();
    private readonly bool _floatParams = quantization.Scheme == TorchTensorBuilder.PerChannelAffineFloatQParams;

    /// <inheritdoc/>
    public override long Length => _integers.ByteLength / _integerSize * sizeof(float);

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        long first = offset / sizeof(float), last = (offset + destination.Length - 1) / sizeof(float);
        int count = checked((int)(last - first + 1));
        var stored = _integers.Source.Span(_integers.ByteOffset + first * _integerSize, checked(count * _integerSize));
        // Elements a chunk at a time, then only the bytes asked for are copied out.
        Span<byte> chunk = stackalloc byte[256 * sizeof(float)];
        int skip = (int)(offset - first * sizeof(float)), written = 0;
        for (int done = 0; done < count; done += 256)
        {
            int n = Math.Min(256, count - done);
            for (int i = 0; i < n; i++)
                BinaryPrimitives.WriteSingleLittleEndian(chunk[(i * sizeof(float))..],
                    Dequantize(stored.Slice((done + i) * _integerSize, _integerSize), first + done + i));
            var decoded = chunk[(done == 0 ? skip : 0)..(n * sizeof(float))];
            int take = Math.Min(decoded.Length, destination.Length - written);
            decoded[..take].CopyTo(destination[written..]);
            written += take;
        }
    }

    // PyTorch 1.13's CPU kernels, matched bit for bit: per tensor, float((int32)(q - zero_point)) * float(scale)
    // (int32 arithmetic, wrapping as the C++ does for qint32); per channel, float((q - zero_point) * scale) in
    // int64 and double; with float qparams, (float(q) - zero_point) * scale all in float
    // (aten/src/ATen/native/quantized/affine_quantizer_base.cpp, cpu/kernels/QuantizedOpKernels.cpp).
    private float Dequantize(ReadOnlySpan<byte> stored, long element)
    {
        long q = quantization.IntegerType switch
        {
            DType.Int8 => (sbyte)stored[0],
            DType.UInt8 => stored[0],
            _ => BinaryPrimitives.ReadInt32LittleEndian(stored),
        };
        if (quantization.Axis is null)
            return unchecked((int)q - (int)quantization.ZeroPoints[0]) * (float)quantization.Scales[0];
        int channel = (int)quantization.ChannelOf(element);
        return _floatParams
            ? ((float)q - (float)quantization.ZeroPoints[channel]) * (float)quantization.Scales[channel]
            : (float)((q - (long)quantization.ZeroPoints[channel]) * quantization.Scales[channel]);
    }
}
