using System.Buffers;
using System.Globalization;
using System.Text;

namespace NeuronKit.Cli.Output;

/// <summary>
/// Text bound for a terminal (or stderr, wherever it goes), kept safe from the names a hostile file holds: every control
/// character but the newline and the tab (an escape sequence that recolours the screen or moves the cursor, a carriage
/// return that overwrites a line, a NUL) and the format characters that reorder text (bidirectional overrides) are
/// written as visible escapes, <c>\x1b</c>, <c>\u202e</c>. Redirected data (JSON escapes them itself; CSV keeps names
/// as the file has them) does not pass through it.
/// </summary>
internal sealed class PrintableWriter(TextWriter inner, bool terminal) : TextWriter
{
    private static readonly SearchValues<char> Unprintable = SearchValues.Create(
        "\0\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f" +
        "\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f" +
        "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069");

    /// <summary>True when the text reaches a terminal rather than a file or a pipe.</summary>
    public bool Terminal => terminal;

    /// <summary>
    /// The writer under <paramref name="writer"/>, for the tool's own control output (a progress line's carriage return);
    /// <paramref name="writer"/> itself when it is no <see cref="PrintableWriter"/>.
    /// </summary>
    public static TextWriter Raw(TextWriter writer) => writer is PrintableWriter printable ? printable._inner : writer;

    /// <summary>
    /// <paramref name="text"/> on one line: its carriage returns and newlines as <c>\r</c> and <c>\n</c>, for a name in an
    /// error or a table's cell, where a file's newline would start a line of the file's making.
    /// </summary>
    public static string OneLine(string text) =>
        text.AsSpan().IndexOfAny('\r', '\n') < 0 ? text : text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private readonly TextWriter _inner = inner;

    /// <inheritdoc/>
    public override Encoding Encoding => _inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        if (Unprintable.Contains(value)) _inner.Write(Escape(value));
        else _inner.Write(value);
    }

    /// <inheritdoc/>
    public override void Write(string? value) => Write(value.AsSpan());

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<char> buffer)
    {
        while (buffer.IndexOfAny(Unprintable) is var at and >= 0)
        {
            _inner.Write(buffer[..at]);
            _inner.Write(Escape(buffer[at]));
            buffer = buffer[(at + 1)..];
        }
        _inner.Write(buffer);
    }

    /// <inheritdoc/>
    public override void Flush() => _inner.Flush();

    // Control characters as \xNN, the others as \uNNNN.
    private static string Escape(char c) => c <= '\xff'
        ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture)
        : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);
}
