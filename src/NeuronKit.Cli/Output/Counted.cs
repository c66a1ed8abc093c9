using System.Globalization;

namespace NeuronKit.Cli.Output;

/// <summary>A count with its noun, singular for one and plural otherwise: <c>1 layer</c>, <c>2 layers</c>, <c>1,024 bytes</c>.</summary>
internal static class Counted
{
    /// <summary><paramref name="count"/> with thousands separators, then <paramref name="noun"/>, plural (a trailing s) unless the count is 1.</summary>
    public static string Of(long count, string noun) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} {noun}{(count == 1 ? "" : "s")}";
}
