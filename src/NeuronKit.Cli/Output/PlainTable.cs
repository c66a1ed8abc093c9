using System.Text;

namespace NeuronKit.Cli.Output;

/// <summary>
/// A table laid out as Spectre.Console draws <c>TableBorder.Simple</c> (a blank line above and below, a rule under the
/// header, every cell padded by a space) but written straight out as text, with no blanks at the end of a line. Spectre
/// measures and renders each cell as segments, about 50 µs a row: 7 s for the 131,072 neurons of a 2 GiB model, where
/// this takes milliseconds. Cells are plain text, one line each, never wrapped.
/// </summary>
internal sealed class PlainTable
{
    private readonly List<(string Header, bool Right)> _columns = [];
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a column, left-aligned unless <paramref name="right"/>.</summary>
    public PlainTable Column(string header, bool right = false)
    {
        _columns.Add((header, right));
        return this;
    }

    /// <summary>Adds a row of one cell per column.</summary>
    public void Row(params string[] cells)
    {
        if (cells.Length != _columns.Count) throw new ArgumentException($"a row of {cells.Length} cells in a table of {_columns.Count} columns");
        _rows.Add([.. cells.Select(PrintableWriter.OneLine)]); // a cell is one line, whatever name it holds
    }

    /// <summary>Writes the table, in chunks of many lines (a console writer flushes every write).</summary>
    public void Write(TextWriter writer)
    {
        var widths = new int[_columns.Count];
        for (int c = 0; c < widths.Length; c++)
        {
            widths[c] = _columns[c].Header.Length;
            foreach (var row in _rows) widths[c] = Math.Max(widths[c], row[c].Length);
        }
        // A border space at each edge, and per column its width, a space either side and a separator after it.
        int total = 1 + widths.Sum(w => w + 3);
        var text = new StringBuilder(1 << 16);
        text.Append('\n');
        AppendLine(text, widths, [.. _columns.Select(c => c.Header)]);
        // As Spectre does, no rule under the header of a table without rows.
        if (_rows.Count > 0) text.Append('─', total).Append('\n');
        foreach (var row in _rows)
        {
            AppendLine(text, widths, row);
            if (text.Length < 1 << 16) continue;
            writer.Write(text);
            text.Clear();
        }
        writer.Write(text.Append('\n'));
    }

    private void AppendLine(StringBuilder text, int[] widths, string[] cells)
    {
        text.Append(' ');
        for (int c = 0; c < cells.Length; c++)
        {
            int pad = widths[c] - cells[c].Length;
            text.Append(' ');
            if (_columns[c].Right) text.Append(' ', pad).Append(cells[c]);
            else text.Append(cells[c]).Append(' ', pad);
            text.Append("  ");
        }
        while (text.Length > 0 && text[^1] == ' ') text.Length--;
        text.Append('\n');
    }
}
