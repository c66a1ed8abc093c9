namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Reads one block of a codebook type (iq4_nl, iq4_xs, mxfp4, nvfp4): each element's code and scale, such that element
/// k's value is <c>levels[codes[k]] · scales[k]</c> rounded to float32, as <see cref="GgmlBlockDecoder"/> gives it.
/// </summary>
internal delegate void GgmlBlockCodes(ReadOnlySpan<byte> block, Span<long> codes, Span<double> scales);

/// <summary>A codebook type's levels, indexed by the code, and the reader of a block's codes and scales.</summary>
internal sealed record GgmlCodebook(double[] Levels, GgmlBlockCodes Codes);
