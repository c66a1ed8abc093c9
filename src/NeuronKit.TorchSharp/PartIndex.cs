using System.Globalization;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// A neuron part's index, in the PyTorch syntax NeuronKit writes it (<c>[2]</c>, <c>[:, 3]</c>, <c>[2:4, 1]</c>,
/// <c>[0, 0, 5]</c>, <c>[()]</c>), as TorchSharp indices: basic indexing, so the result is a view of the tensor.
/// </summary>
internal static class PartIndex
{
    /// <summary>The TorchSharp indices <paramref name="index"/> says; throws <see cref="RequestException"/> for any other syntax.</summary>
    public static TensorIndex[] Parse(string index)
    {
        if (index.Length < 2 || index[0] != '[' || index[^1] != ']') throw Unreadable(index);
        string body = index[1..^1];
        if (body == "()") return [TensorIndex.Ellipsis];
        return [.. body.Split(", ").Select(item => Item(item) ?? throw Unreadable(index))];
    }

    // One dimension's index: an integer, ':' or start:stop.
    private static TensorIndex? Item(string item)
    {
        if (item == ":") return TensorIndex.Colon;
        if (Integer(item) is { } single) return TensorIndex.Single(single);
        int colon = item.IndexOf(':');
        return colon > 0 && Integer(item[..colon]) is { } start && Integer(item[(colon + 1)..]) is { } stop
            ? TensorIndex.Slice(start, stop)
            : null;
    }

    private static long? Integer(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    private static RequestException Unreadable(string index) =>
        new($"the part index '{index}' is not one NeuronKit.TorchSharp can take as a TorchSharp view");
}
