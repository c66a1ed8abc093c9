namespace NeuronKit.Formats.Gguf;

/// <summary>
/// ggml's packing of 4-bit codes in a run of bytes: the low nibbles hold the run's first half of the elements, the high
/// nibbles its second half (q4_0, q4_1, q4_k's 64-element runs, iq4_nl, iq4_xs, mxfp4, nvfp4).
/// </summary>
internal static class GgmlNibbles
{
    /// <summary>The 2·<paramref name="qs"/>.Length codes <paramref name="qs"/> packs, into <paramref name="codes"/>.</summary>
    public static void Split(ReadOnlySpan<byte> qs, Span<long> codes)
    {
        int half = qs.Length;
        for (int j = 0; j < half; j++) (codes[j], codes[j + half]) = (qs[j] & 0xF, qs[j] >> 4);
    }
}
