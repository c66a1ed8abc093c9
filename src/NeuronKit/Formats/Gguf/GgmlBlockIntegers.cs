namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Reads one quantized block's stored integers and each element's scale, such that element k's value is exactly
/// <c>(integers[k] − zero point) · scales[k]</c> as <see cref="GgmlBlockDecoder"/> gives it; returns the zero point,
/// the same for every block of the type. Types that add a min have one too, with zero point 0, beside their
/// <see cref="GgmlBlockMinimums"/>; the codebook types have none.
/// </summary>
internal delegate int GgmlBlockIntegers(ReadOnlySpan<byte> block, Span<long> integers, Span<double> scales);
