using System.Globalization;
using NeuronKit.Layers;

namespace NeuronKit.Cli.Commands;

/// <summary>
/// A neuron index, or an inclusive range of them as NeuronKit's messages print a group's filters (8..15), as the command
/// line gives it; a negative index counts from the end, and so do a range's two ends, both or neither.
/// </summary>
internal readonly record struct IndexRange(long First, long Last, string Text)
{
    /// <summary>Reads <paramref name="text"/>: 3, -1 or 8..15.</summary>
    public static IndexRange Parse(string text)
    {
        var ends = text.Split("..").Select(Number).ToList();
        if (ends.Count is 1 or 2 && ends.All(e => e is not null))
        {
            long first = ends[0]!.Value, last = ends[^1]!.Value;
            if ((first < 0) == (last < 0) && first > last)
                throw new RequestException($"'{text}' is not a range of neurons: it runs from {first} down to {last} (give the first one first, {last}..{first})");
            return new(first, last, text);
        }
        throw new RequestException($"'{text}' is not a neuron index (3), a list of them (1,5,9) or a range (8..15)");
    }

    /// <summary>
    /// The indices in <paramref name="layer"/>: a single one as given (the layer says if it has none such), a range's each
    /// from the first to the last, both counted from the end when negative.
    /// </summary>
    public IEnumerable<long> In(Layer layer)
    {
        if (First == Last && !Text.Contains("..", StringComparison.Ordinal)) return [First];
        long n = layer.NeuronCount;
        if ((First < 0) != (Last < 0))
            throw new RequestException($"'{Text}' mixes an index from the start with one from the end: give both ends one way " +
                $"({(First < 0 ? n + First : First)}..{(Last < 0 ? n + Last : Last)})");
        long first = First < 0 ? n + First : First, last = Last < 0 ? n + Last : Last;
        if (first < 0 || last >= n)
            throw new RequestException($"neurons {Text} are not all in layer '{layer.Name}', whose {n:N0} neurons are 0..{n - 1}");
        return Span(first, last);
    }

    private static long? Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long j) ? j : null;

    private static IEnumerable<long> Span(long first, long last)
    {
        for (long j = first; j <= last; j++) yield return j;
    }
}
