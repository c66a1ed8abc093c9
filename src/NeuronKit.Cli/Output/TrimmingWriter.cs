using System.Text;

namespace NeuronKit.Cli.Output;

/// <summary>
/// Passes text on to another writer without the blanks at the end of each line: Spectre pads every line of a table to
/// the table's width. A blank is held back until something other than a line end follows it on its line.
/// </summary>
internal sealed class TrimmingWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _text = new();
    private int _blanks;

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        Add(value);
        Pass();
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        foreach (char c in value ?? "") Add(c);
        Pass();
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count)
    {
        foreach (char c in buffer.AsSpan(index, count)) Add(c);
        Pass();
    }

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    private void Add(char c)
    {
        if (c == ' ')
        {
            _blanks++;
            return;
        }
        if (c is not ('\n' or '\r')) _text.Append(' ', _blanks);
        _blanks = 0;
        _text.Append(c);
    }

    // One write per call: a console writer flushes every write.
    private void Pass()
    {
        if (_text.Length == 0) return;
        inner.Write(_text);
        _text.Clear();
    }
}
