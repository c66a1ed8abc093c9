namespace NeuronKit.Formats.Gguf;

/// <summary>A tensor info of the header, its sizes checked: name, ne (ggml order, fastest first), type, offset.</summary>
/// <param name="Name">The tensor's name (<c>blk.0.attn_q.weight</c>).</param>
/// <param name="Ne">Sizes in ggml order: ne[0] varies fastest, so the PyTorch shape is its reverse.</param>
/// <param name="Type">The element or block type.</param>
/// <param name="Offset">Bytes from the start of the data section.</param>
/// <param name="Elements">The product of <paramref name="Ne"/>.</param>
/// <param name="ByteSize">Bytes the tensor takes: ne[0] / block size × block bytes × the other dims.</param>
internal sealed record GgufTensorInfo(string Name, long[] Ne, GgmlType Type, ulong Offset, long Elements, long ByteSize)
{
    /// <summary>The shape in PyTorch order (ne reversed): a Linear weight ne=[in, out] is [out, in].</summary>
    public long[] Shape => [.. Ne.Reverse()];
}
