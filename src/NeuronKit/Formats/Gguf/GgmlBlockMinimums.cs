namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Reads each element's min from one block of a type that adds one (q4_1, q5_1, q2_k, q4_k, q5_k): the value its
/// integer 0 decodes to, so that element k's value is <c>integers[k] · scales[k] + mins[k]</c> rounded to float32, as
/// <see cref="GgmlBlockDecoder"/> gives it (a K-quant's <c>−dmin · m</c> of its sub-block, q4_1's and q5_1's <c>m</c>).
/// </summary>
internal delegate void GgmlBlockMinimums(ReadOnlySpan<byte> block, Span<double> mins);
