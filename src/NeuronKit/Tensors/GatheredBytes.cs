namespace NeuronKit.Tensors;

/// <summary>
/// A strided view's elements as the bytes of a contiguous row-major tensor, gathered from its storage as they are read:
/// what code that reads a tensor's bytes from their start (the quantized layouts' passes) is given for a torch.save view.
/// </summary>
internal sealed class GatheredBytes(TensorView view) : DecodedBytes
{
    private readonly int _size = view.DType.Size();

    /// <inheritdoc/>
    public override long Length { get; } = view.ElementCount * view.DType.Size();

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        int written = 0;
        for (long element = offset / _size; written < destination.Length; element++)
        {
            var bytes = view.Storage.Source.Span(view.Storage.ByteOffset + StorageElement(element) * _size, _size);
            if (written == 0) bytes = bytes[(int)(offset % _size)..];
            int take = Math.Min(bytes.Length, destination.Length - written);
            bytes[..take].CopyTo(destination[written..]);
            written += take;
        }
    }

    // Element number `element` of the row-major order, as an index into the storage.
    private long StorageElement(long element)
    {
        long at = view.StorageOffset;
        for (int d = view.Shape.Count - 1; d >= 0; d--)
        {
            at += element % view.Shape[d] * view.Strides[d];
            element /= view.Shape[d];
        }
        return at;
    }
}
