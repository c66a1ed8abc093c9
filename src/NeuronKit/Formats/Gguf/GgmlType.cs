using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// One <c>enum ggml_type</c> entry: its id in tensor infos, its name, and its block (elements and bytes, from the
/// static_asserts of ggml-common.h). A type reads either as a plain <see cref="Tensors.DType"/> or through a block
/// decoder; a type with neither is refused, naming it.
/// </summary>
/// <param name="Id">The number tensor infos store.</param>
/// <param name="Name">ggml's type_name, lower-cased (<c>q4_k</c> for ggml's <c>q4_K</c>).</param>
/// <param name="BlockSize">Elements per block (1 for plain types; 0 for ids ggml removed).</param>
/// <param name="TypeSize">Bytes per block.</param>
/// <param name="Plain">The DType of an unquantized type, else null.</param>
/// <param name="Decoder">The dequantizer of a quantized type NeuronKit reads, else null.</param>
/// <param name="Encoder">ggml's reference quantizer of a type NeuronKit writes back after an edit, else null.</param>
/// <param name="Integers">The reader of a block's stored integers and scales, for types whose values are (q − z)·scale
/// (+ min).</param>
/// <param name="Minimums">The reader of a block's mins, for types whose values add one (q·scale + min).</param>
/// <param name="Codebook">The levels and the reader of a block's codes and scales, for types whose values are
/// levels[q]·scale.</param>
internal sealed record GgmlType(int Id, string Name, int BlockSize, int TypeSize, DType? Plain = null, GgmlBlockDecoder? Decoder = null,
    GgmlBlockEncoder? Encoder = null, GgmlBlockIntegers? Integers = null, GgmlBlockMinimums? Minimums = null, GgmlCodebook? Codebook = null)
{
    /// <summary>True for ids ggml no longer defines (Q4_2, Q4_3, the repacked Q4_0_x_y and IQ4_NL_x_y).</summary>
    public bool Removed => BlockSize == 0;

    /// <summary>True when NeuronKit can read tensors of this type.</summary>
    public bool Readable => Plain is not null || Decoder is not null;
}
