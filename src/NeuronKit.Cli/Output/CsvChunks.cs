using System.Collections.Concurrent;
using System.Text;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary>
/// CSV rows written in chunks of <see cref="Rows"/>, each formatted a few chunks ahead of the writer, on all cores
/// (<see cref="FormatAhead{T}"/>), and written at once; the chunks' buffers are reused: fresh ones would be new pages
/// for the kernel to zero, every time.
/// </summary>
internal static class CsvChunks
{
    /// <summary>The rows a chunk holds.</summary>
    public const int Rows = 2048;

    /// <summary>
    /// Writes the rows of every group (a layer and its rows, in order), <paramref name="format"/> appending a chunk's
    /// rows to a buffer of about <paramref name="rowChars"/> characters a row.
    /// </summary>
    public static void Write<TGroup, TRow>(TextWriter stdout, IEnumerable<(TGroup Group, IReadOnlyList<TRow> Rows)> groups, int rowChars,
        Action<StringBuilder, TGroup, ArraySegment<TRow>> format)
    {
        var spare = new ConcurrentBag<StringBuilder>();
        var ahead = new FormatAhead<StringBuilder>(text =>
        {
            stdout.Write(text);
            spare.Add(text.Clear());
        });
        foreach (var (group, rows) in groups)
        {
            var all = rows as TRow[] ?? [.. rows];
            for (int at = 0; at < all.Length; at += Rows)
            {
                var chunk = new ArraySegment<TRow>(all, at, Math.Min(Rows, all.Length - at));
                var text = spare.TryTake(out var used) ? used : new StringBuilder(Rows * rowChars);
                ahead.Add(() =>
                {
                    format(text, group, chunk);
                    return text;
                });
            }
        }
        ahead.Flush();
    }
}
