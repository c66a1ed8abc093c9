namespace NeuronKit.Diff;

/// <summary>
/// Which neuron of file B is neuron j of file A, for a layer whose converter stored the neurons in another order; the
/// diff then compares A's neuron j with B's <see cref="BIndex"/>(j).
/// </summary>
public sealed class NeuronOrder
{
    private readonly Func<long, long> _bIndex;

    private NeuronOrder(string name, Func<long, long> bIndex)
    {
        Name = name;
        _bIndex = bIndex;
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
    /// size, as both rotary orders need; null otherwise (no rows, or more heads than rows, included).
    /// </summary>
    internal static long? HeadRows(long rows, long heads) =>
        heads > 0 && rows > 0 && rows % heads == 0 && rows / heads % 2 == 0 ? rows / heads : null;

    /// <summary>
    /// llama.cpp's order of gpt-oss's fused gate and up rows when its converter keeps them in one tensor
    /// (<c>ffn_gate_up_exps</c>, <c>--fuse-gate-up-exps</c>): Hugging Face interleaves them (row 2k is gate k, 2k + 1 up
    /// k), llama.cpp puts every gate row first, so Hugging Face row 2k + p is GGUF row p·rows/2 + k.
    /// <paramref name="toLlamaCpp"/> says A is the Hugging Face file; <paramref name="rows"/> must be even.
    /// </summary>
    public static NeuronOrder GateUpHalves(long rows, bool toLlamaCpp) =>
        rows > 0 && rows % 2 == 0
            ? new NeuronOrder("llama.cpp gate/up halves", toLlamaCpp ? j => j % 2 * (rows / 2) + j / 2 : j => 2 * (j % (rows / 2)) + j / (rows / 2))
            : throw new ArgumentOutOfRangeException(nameof(rows), rows, "gate and up rows together must be even and positive");

    // Adjacent pairs against halves, whoever stored them so.
    private static NeuronOrder Rope(string name, long headDim, bool toPairs)
    {
        if (headDim <= 0 || headDim % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "a head's row count must be even and positive");
        long half = headDim / 2;
        // Within a head: Hugging Face (p, i) with r = p·half + i ↔ llama.cpp (i, p) with r = 2i + p.
        return new NeuronOrder(name, j =>
        {
            long head = j / headDim, r = j % headDim;
            return head * headDim + (toPairs ? 2 * (r % half) + r / half : (r % 2) * half + r / 2);
        });
    }

    /// <summary>The index in B of A's neuron <paramref name="j"/>.</summary>
    public long BIndex(long j) => _bIndex(j);
}
