using System.Buffers.Binary;
using System.Text;
using NeuronKit.Tensors;

namespace NeuronKit.Containers.Msgpack;

/// <summary>
/// Parses msgpack (github.com/msgpack/msgpack/blob/master/spec.md) from a file's bytes into <see cref="MsgpackValue"/>s,
/// reading type bytes, lengths, numbers and strings only: a bin's or an extension's bytes are stepped over, their place
/// kept. Every length is checked against the bytes left, and nesting, string lengths and the number of values are
/// capped, so that a hostile file can neither read outside itself nor make the parse allocate without bound.
/// </summary>
internal sealed class MsgpackParser
{
    /// <summary>How deep containers may nest.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// How many values one parse may make: each costs about a hundred bytes parsed, so half a million keep a hostile file's
    /// parse within 64 MiB, and a Flax tree holds a few values per array (a large model's checkpoint, optimizer state
    /// included, some tens of thousands).
    /// </summary>
    public const int MaxValues = 500_000;

    // The bytes are read a window at a time: one read for many small values, where a read per value costs a system call
    // each. A window starts small after a bin or an extension is stepped over (a Flax file's values lie between its arrays'
    // bytes, which are not to be read) and doubles while the values run on, up to WindowBytes; it holds the longest string.
    private const int WindowBytes = 1 << 17, FirstWindowBytes = 256;

    /// <summary>How long a string may be (keys and type names are short).</summary>
    public const int MaxStringBytes = 1 << 16;

    private static readonly UTF8Encoding Utf8 = new(false, throwOnInvalidBytes: true);

    private readonly ByteSource _source;
    private readonly long _end;
    private readonly string _file;
    private long _position;
    private int _values;
    private byte[] _window = [];
    private long _windowStart, _windowEnd;
    private int _nextWindow = FirstWindowBytes;

    private MsgpackParser(ByteSource source, long start, long end, string file)
    {
        _source = source;
        _position = start;
        _end = end;
        _file = file;
        _windowStart = _windowEnd = start;
    }

    /// <summary>
    /// The one value in bytes [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="source"/>, which must
    /// fill them; <paramref name="file"/> (and what the bytes are) names them in errors, each a <see cref="CheckpointException"/>.
    /// </summary>
    public static MsgpackValue Parse(ByteSource source, long start, long end, string file)
    {
        var parser = new MsgpackParser(source, start, end, file);
        var value = parser.Value(0);
        if (parser._position != end)
            throw parser.Corrupt(parser._position, $"{end - parser._position:N0} bytes follow its msgpack value");
        return value;
    }

    private MsgpackValue Value(int depth)
    {
        if (depth > MaxDepth) throw Corrupt(_position, $"nests msgpack containers more than {MaxDepth} deep");
        if (++_values > MaxValues) throw Corrupt(_position, $"holds more than {MaxValues:N0} msgpack values");
        long at = _position;
        byte type = Bytes(1)[0];
        switch (type)
        {
            case <= 0x7f: return Number(at, type);
            case >= 0xe0: return Number(at, (sbyte)type);
            case >= 0x80 and <= 0x8f: return Map(at, type & 0x0f, depth);
            case >= 0x90 and <= 0x9f: return Array(at, type & 0x0f, depth);
            case >= 0xa0 and <= 0xbf: return String(at, type & 0x1f);
            case 0xc0: return new MsgpackValue { Kind = MsgpackKind.Nil, Offset = at };
            case 0xc2 or 0xc3: return new MsgpackValue { Kind = MsgpackKind.Boolean, Offset = at, Integer = type - 0xc2 };
            case 0xc4: return Data(at, MsgpackKind.Binary, Length(1));
            case 0xc5: return Data(at, MsgpackKind.Binary, Length(2));
            case 0xc6: return Data(at, MsgpackKind.Binary, Length(4));
            case 0xc7: return Extension(at, Length(1));
            case 0xc8: return Extension(at, Length(2));
            case 0xc9: return Extension(at, Length(4));
            case 0xca: Bytes(4); return new MsgpackValue { Kind = MsgpackKind.Float, Offset = at };
            case 0xcb: Bytes(8); return new MsgpackValue { Kind = MsgpackKind.Float, Offset = at };
            case 0xcc: return Number(at, Bytes(1)[0]);
            case 0xcd: return Number(at, BinaryPrimitives.ReadUInt16BigEndian(Bytes(2)));
            case 0xce: return Number(at, BinaryPrimitives.ReadUInt32BigEndian(Bytes(4)));
            case 0xcf:
                ulong unsigned = BinaryPrimitives.ReadUInt64BigEndian(Bytes(8));
                if (unsigned > long.MaxValue) throw Corrupt(at, $"holds the integer {unsigned}, beyond what any size or shape can be");
                return Number(at, (long)unsigned);
            case 0xd0: return Number(at, (sbyte)Bytes(1)[0]);
            case 0xd1: return Number(at, BinaryPrimitives.ReadInt16BigEndian(Bytes(2)));
            case 0xd2: return Number(at, BinaryPrimitives.ReadInt32BigEndian(Bytes(4)));
            case 0xd3: return Number(at, BinaryPrimitives.ReadInt64BigEndian(Bytes(8)));
            case >= 0xd4 and <= 0xd8: return Extension(at, 1L << (type - 0xd4));
            case 0xd9: return String(at, Length(1));
            case 0xda: return String(at, Length(2));
            case 0xdb: return String(at, Length(4));
            case 0xdc: return Array(at, Length(2), depth);
            case 0xdd: return Array(at, Length(4), depth);
            case 0xde: return Map(at, Length(2), depth);
            case 0xdf: return Map(at, Length(4), depth);
            default: throw Corrupt(at, $"holds the byte 0x{type:x2}, which begins no msgpack value");
        }
    }

    private static MsgpackValue Number(long at, long value) => new() { Kind = MsgpackKind.Integer, Offset = at, Integer = value };

    private MsgpackValue String(long at, long length)
    {
        if (length > MaxStringBytes) throw Corrupt(at, $"holds a msgpack string of {length:N0} bytes (at most {MaxStringBytes:N0} are read)");
        long data = _position;
        string text;
        try
        {
            text = Utf8.GetString(Bytes((int)length));
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt(at, "holds a msgpack string that is not UTF-8");
        }
        return new MsgpackValue { Kind = MsgpackKind.String, Offset = at, DataOffset = data, DataLength = length, Text = text };
    }

    private MsgpackValue Data(long at, MsgpackKind kind, long length)
    {
        long data = _position;
        Skip(at, length);
        return new MsgpackValue { Kind = kind, Offset = at, DataOffset = data, DataLength = length };
    }

    private MsgpackValue Extension(long at, long length)
    {
        sbyte type = (sbyte)Bytes(1)[0];
        long data = _position;
        Skip(at, length);
        return new MsgpackValue { Kind = MsgpackKind.Extension, Offset = at, DataOffset = data, DataLength = length, ExtensionType = type };
    }

    private MsgpackValue Array(long at, long count, int depth)
    {
        // Every value takes a byte at least: a count beyond the bytes left is a lie, caught before anything is allocated.
        if (count > _end - _position) throw Truncated(at, $"a msgpack array of {count:N0} values", _end - _position);
        var items = new List<MsgpackValue>((int)count);
        for (long i = 0; i < count; i++) items.Add(Value(depth + 1));
        return new MsgpackValue { Kind = MsgpackKind.Array, Offset = at, Items = items };
    }

    private MsgpackValue Map(long at, long count, int depth)
    {
        if (count > (_end - _position) / 2) throw Truncated(at, $"a msgpack map of {count:N0} entries", _end - _position);
        var entries = new List<(MsgpackValue, MsgpackValue)>((int)count);
        for (long i = 0; i < count; i++) entries.Add((Value(depth + 1), Value(depth + 1)));
        return new MsgpackValue { Kind = MsgpackKind.Map, Offset = at, Entries = entries };
    }

    // A big-endian length of 1, 2 or 4 bytes.
    private long Length(int size)
    {
        var bytes = Bytes(size);
        return size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
    }

    private ReadOnlySpan<byte> Bytes(int count)
    {
        if (count > _end - _position) throw Truncated(_position, $"{count:N0} more bytes", _end - _position);
        if (_position < _windowStart || _position + count > _windowEnd)
        {
            int length = (int)Math.Min(Math.Max(_nextWindow, count), _end - _position);
            if (_window.Length < length) _window = new byte[Math.Max(length, Math.Min(2 * _window.Length, WindowBytes))];
            _source.Read(_position, _window.AsSpan(0, length));
            (_windowStart, _windowEnd) = (_position, _position + length);
            _nextWindow = Math.Min(2 * _nextWindow, WindowBytes);
        }
        var span = _window.AsSpan((int)(_position - _windowStart), count);
        _position += count;
        return span;
    }

    private void Skip(long at, long count)
    {
        if (count > _end - _position) throw Truncated(at, $"a msgpack value of {count:N0} bytes", _end - _position);
        _position += count;
        if (_position > _windowEnd) _nextWindow = FirstWindowBytes;
    }

    private CheckpointException Truncated(long at, string what, long left) =>
        new($"{_file} is truncated or corrupt: at byte {at:N0} it declares {what}, but only {left:N0} bytes remain");

    private CheckpointException Corrupt(long at, string what) => new($"{_file} is corrupt: at byte {at:N0} it {what}");
}
