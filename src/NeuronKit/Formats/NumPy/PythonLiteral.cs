using System.Globalization;
using System.Text;

namespace NeuronKit.Formats.NumPy;

/// <summary>
/// A strict parser for the few Python literals an .npy header holds (numpy writes it with <c>repr</c> and reads it with
/// <c>ast.literal_eval</c>): dicts, tuples, lists, quoted strings, integers (with Python 2's <c>L</c> suffix), True,
/// False and None. Nothing is evaluated; anything else is a <see cref="FormatException"/>. Nesting is capped.
/// </summary>
internal sealed class PythonLiteral
{
    private const int MaxDepth = 4;
    private readonly string _text;
    private int _at;

    private PythonLiteral(string text) => _text = text;

    /// <summary>A Python tuple, told apart from a list because numpy wants <c>shape</c> to be one.</summary>
    public sealed record Tuple(IReadOnlyList<object?> Items);

    /// <summary>
    /// Parses <paramref name="text"/> as one literal: a <see cref="Dictionary{TKey, TValue}"/> of string keys, a
    /// <see cref="Tuple"/>, a <see cref="List{T}"/>, a string, a long, a bool or null.
    /// </summary>
    public static object? Parse(string text)
    {
        var parser = new PythonLiteral(text);
        var value = parser.Value(0);
        parser.SkipSpace();
        if (parser._at != text.Length) throw parser.Error("text after the literal");
        return value;
    }

    private object? Value(int depth)
    {
        if (depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth}");
        SkipSpace();
        if (_at >= _text.Length) throw Error("the end of the text");
        char c = _text[_at];
        return c switch
        {
            '{' => Dict(depth),
            '(' => Sequence(depth, ')', tuple: true),
            '[' => Sequence(depth, ']', tuple: false),
            '\'' or '"' => String(),
            '-' or (>= '0' and <= '9') => Integer(),
            _ => Word(),
        };
    }

    private Dictionary<string, object?> Dict(int depth)
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        _at++;
        while (true)
        {
            SkipSpace();
            if (Take('}')) return dict;
            if (Value(depth + 1) is not string key) throw Error("a dict key that is not a string");
            SkipSpace();
            if (!Take(':')) throw Error("a missing ':'");
            if (!dict.TryAdd(key, Value(depth + 1))) throw Error($"the key '{key}' twice");
            SkipSpace();
            if (Take('}')) return dict;
            if (!Take(',')) throw Error("a missing ',' in a dict");
        }
    }

    private object Sequence(int depth, char close, bool tuple)
    {
        var items = new List<object?>();
        bool comma = false;
        _at++;
        while (true)
        {
            SkipSpace();
            if (Take(close)) break;
            items.Add(Value(depth + 1));
            SkipSpace();
            if (Take(close)) break;
            if (!Take(',')) throw Error($"a missing ',' or '{close}'");
            comma = true;
        }
        // "(3)" is the number 3 in Python, not a tuple: only a comma (or nothing at all) makes one.
        if (tuple && items.Count == 1 && !comma) return items[0]!;
        return tuple ? new Tuple(items) : items;
    }

    private string String()
    {
        char quote = _text[_at++];
        var value = new StringBuilder();
        while (_at < _text.Length && _text[_at] != quote)
        {
            char c = _text[_at++];
            if (c == '\\')
            {
                if (_at >= _text.Length || _text[_at] is not ('\\' or '\'' or '"')) throw Error("an escape other than \\\\, \\' or \\\"");
                c = _text[_at++];
            }
            else if (c == '\n')
            {
                throw Error("a line break inside a string");
            }
            value.Append(c);
        }
        if (!Take(quote)) throw Error("an unterminated string");
        return value.ToString();
    }

    private long Integer()
    {
        int start = _at;
        if (_text[_at] == '-') _at++;
        while (_at < _text.Length && char.IsAsciiDigit(_text[_at])) _at++;
        string digits = _text[start.._at];
        if (_at < _text.Length && _text[_at] is 'L' or 'l') _at++; // Python 2 longs: (3L, 4L)
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Error($"'{digits}', not an integer that fits 64 bits");
        return value;
    }

    private object? Word()
    {
        foreach (var (word, value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
            if (string.CompareOrdinal(_text, _at, word, 0, word.Length) == 0
                && (_at + word.Length == _text.Length || !char.IsAsciiLetterOrDigit(_text[_at + word.Length]) && _text[_at + word.Length] != '_'))
            {
                _at += word.Length;
                return value;
            }
        int end = _at;
        while (end < _text.Length && end - _at < 24 && !char.IsWhiteSpace(_text[end]) && _text[end] is not (',' or ':' or '}' or ')')) end++;
        throw Error($"'{_text[_at..end]}', which is not a literal");
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r') _at++;
    }

    private bool Take(char c)
    {
        if (_at >= _text.Length || _text[_at] != c) return false;
        _at++;
        return true;
    }

    private FormatException Error(string what) => new($"{what} at character {_at}");
}
