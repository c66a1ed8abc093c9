namespace NeuronKit.Graph;

/// <summary>
/// How grouped-query attention shares each key/value head among query heads: value unit j, place j mod Size of key/value head
/// j / Size, is what each of the Times query heads of that group reads at the same place (Hugging Face's repeat_kv, llama.cpp's
/// broadcast), so it lands at Times inputs of the output projection, one per query head.
/// </summary>
/// <param name="Size">The head size: a key/value head's units.</param>
/// <param name="Times">The query heads that share each key/value head.</param>
public sealed record SharedHeads(long Size, long Times)
{
    /// <summary>Where unit <paramref name="channel"/> lands among the heads' merged outputs, one per query head of its group.</summary>
    public IEnumerable<long> Inputs(long channel)
    {
        long group = channel / Size, place = channel % Size;
        for (long t = 0; t < Times; t++) yield return (group * Times + t) * Size + place;
    }
}
