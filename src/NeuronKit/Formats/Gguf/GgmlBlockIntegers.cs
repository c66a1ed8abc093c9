namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Reads one quantized block's stored integers and each element's scale, such that element k's value is exactly
/// <c>(integers[k] − zero point) · scales[k]</c> as <see cref="GgmlBlockDecoder"/> gives it; returns the zero point,
/// the same for every block of the type. Only types whose values are so affine have one (not those that add a min,
/// nor the codebook types).
/// </summary>
internal delegate int GgmlBlockIntegers(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales);
