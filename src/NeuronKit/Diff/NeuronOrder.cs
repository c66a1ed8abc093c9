namespace NeuronKit.Diff;

/// <summary>
/// Which neuron of file B is neuron j of file A, for a layer whose converter stored the neurons in another order; the
/// diff then compares A's neuron j with B's <see cref="BIndex"/>(j).
/// </summary>
public sealed class NeuronOrder
{
    private readonly long _headRows;
    private readonly bool _toLlamaCpp;

    private NeuronOrder(string name, long headRows, bool toLlamaCpp)
    {
        Name = name;
        _headRows = headRows;
        _toLlamaCpp = toLlamaCpp;
    }

    /// <summary>What reordered the neurons, as reports say it: <c>llama.cpp q/k permutation</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// llama.cpp's order of a query or key projection's rows against Hugging Face's. Hugging Face's LLaMA rotates
    /// each head's first half against its second (rotate_half); llama.cpp rotates adjacent pairs, so its converter
    /// (convert_hf_to_gguf.py, LlamaModel.permute) views each head's rows as (2, head_dim/2) and swaps the two axes:
    /// Hugging Face row h·hd + p·hd/2 + i is GGUF row h·hd + 2i + p. <paramref name="toLlamaCpp"/> says A is the
    /// Hugging Face file and B the GGUF; otherwise the other way round. <paramref name="headDim"/> must be even and
    /// positive.
    /// </summary>
    public static NeuronOrder LlamaCppRope(long headDim, bool toLlamaCpp) => Rope("llama.cpp q/k permutation", headDim, toLlamaCpp);

    /// <summary>
    /// Meta's reference LLaMA checkpoint's order of a query or key projection's rows against Hugging Face's: Meta rotates
    /// adjacent pairs, as llama.cpp does (convert_llama_weights_to_hf.py permutes them into Hugging Face's halves), so
    /// the rows relate as <see cref="LlamaCppRope"/>'s do. <paramref name="toMeta"/> says A is the Hugging Face file.
    /// </summary>
    public static NeuronOrder MetaRope(long headDim, bool toMeta) => Rope("Meta q/k order", headDim, toMeta);

    /// <summary>
    /// The rows of each of <paramref name="heads"/> heads when they split <paramref name="rows"/> into heads of an even
    /// size, as both rotary orders need; null otherwise.
    /// </summary>
    internal static long? HeadRows(long rows, long heads) => heads > 0 && rows % heads == 0 && rows / heads % 2 == 0 ? rows / heads : null;

    // Adjacent pairs against halves, whoever stored them so.
    private static NeuronOrder Rope(string name, long headDim, bool toPairs) =>
        headDim > 0 && headDim % 2 == 0
            ? new NeuronOrder(name, headDim, toPairs)
            : throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "a head's row count must be even and positive");

    /// <summary>The index in B of A's neuron <paramref name="j"/>.</summary>
    public long BIndex(long j)
    {
        long half = _headRows / 2;
        long head = j / _headRows, r = j % _headRows;
        // Within a head: Hugging Face (p, i) with r = p·half + i ↔ llama.cpp (i, p) with r = 2i + p.
        long within = _toLlamaCpp ? 2 * (r % half) + r / half : (r % 2) * half + r / 2;
        return head * _headRows + within;
    }
}
