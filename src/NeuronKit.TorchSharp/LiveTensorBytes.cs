using NeuronKit.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// The elements of a live TorchSharp tensor, row-major, as the bytes NeuronKit's views read. A tensor in CPU memory is read
/// in place (no copy), so in-place updates such as an optimizer step show through; any other tensor (on a GPU, or strided)
/// has only the run asked for copied to the CPU. The model itself never moves.
/// </summary>
internal sealed class LiveTensorBytes : ByteSource
{
    private readonly Tensor _tensor;
    private readonly int _elementSize;

    /// <summary>Reads <paramref name="tensor"/>, named <paramref name="name"/> in its module's state dict.</summary>
    public LiveTensorBytes(string name, Tensor tensor)
    {
        Name = name;
        _tensor = tensor;
        _elementSize = checked((int)tensor.ElementSize);
        Length = checked(tensor.NumberOfElements * _elementSize);
    }

    /// <summary>The tensor's name in its module's state dict (<c>rnn.weight_ih_l0</c>).</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public override long Length { get; }

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        CheckRange(offset, length);
        if (length == 0) return [];
        var tensor = Live();
        bool inPlace = tensor.device_type == DeviceType.CPU && tensor.is_contiguous();
        if (inPlace && Length <= int.MaxValue) return tensor.bytes.Slice((int)offset, length);

        // A run of the flattened tensor: a view of the tensor's own memory when it is contiguous in CPU memory (disposing the
        // view's handle leaves the memory to the tensor), else a copy of just this run.
        using var alias = tensor.detach();
        using var flat = alias.reshape(-1);
        using var run = flat.narrow(0, offset / _elementSize, length / _elementSize);
        if (inPlace) return run.bytes;
        using var onCpu = run.cpu();
        using var copy = onCpu.contiguous();
        return copy.bytes.ToArray();
    }

    private Tensor Live() => _tensor.IsInvalid
        ? throw new RequestException($"tensor '{Name}' was disposed or replaced after its neurons were taken " +
            "(module.to(...) replaces every parameter it converts)", ["ask the module again for a neuron of the converted model"])
        : _tensor;
}
