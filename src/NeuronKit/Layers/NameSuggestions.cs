namespace NeuronKit.Layers;

/// <summary>"Did you mean" for a mistyped layer or kind name: the closest names by edit distance, and names it begins.</summary>
internal static class NameSuggestions
{
    /// <summary>
    /// Up to <paramref name="count"/> of <paramref name="names"/> closest to <paramref name="typed"/>: those within a third of
    /// its length in edits (at least 1), or that start with it; closest first, ties in the given order.
    /// </summary>
    public static IReadOnlyList<string> Closest(string typed, IEnumerable<string> names, int count = 3)
    {
        string lower = typed.ToLowerInvariant();
        int limit = Math.Max(1, typed.Length / 3);
        return names
            .Distinct()
            .Select((name, order) => (name, order, distance: Distance(lower, name.ToLowerInvariant())))
            .Where(c => c.distance <= limit || (typed.Length > 0 && c.name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(c => c.distance)
            .ThenBy(c => c.order)
            .Take(count)
            .Select(c => c.name)
            .ToList();
    }

    /// <summary>The hint line: <c>did you mean 'fc'?</c>, <c>did you mean 'fc1', 'fc2' or 'fc3'?</c>.</summary>
    public static string DidYouMean(IReadOnlyList<string> names) =>
        names.Count == 1
            ? $"did you mean '{names[0]}'?"
            : $"did you mean {string.Join(", ", names.Take(names.Count - 1).Select(n => $"'{n}'"))} or '{names[^1]}'?";

    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
