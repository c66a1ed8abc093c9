
namespace NeuronKit.Containers.Protobuf;

/// <summary>
/// Walks the fields of one protobuf message over a span, checking every length against the bytes left; it never
/// descends into sub-messages, so its callers choose (and bound) how deep they go.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly long _fileOffset;
    private readonly string _fileName;
    private int _position;

    /// <summary>
    /// Reads <paramref name="message"/>, which starts <paramref name="fileOffset"/> bytes into the file
    /// <paramref name="fileName"/> (both only for error messages).
    /// </summary>
    public WireReader(ReadOnlySpan<byte> message, long fileOffset, string fileName)
    {
        _message = message;
        _fileOffset = fileOffset;
        _fileName = fileName;
    }

    /// <summary>
    /// The next field, or false at the end of the message. Throws <see cref="CheckpointException"/> for a bad tag,
    /// a varint longer than 10 bytes, a field that runs past the end, or a group (ONNX never writes them).
    /// </summary>
    public bool Next(out WireField field)
    {
        field = default;
        if (_position >= _message.Length) return false;
        int start = _position;
        ulong tag = ReadVarint();
        int number = (int)Math.Min(tag >> 3, int.MaxValue);
        var type = (WireType)(tag & 7);
        if (number == 0 || tag >> 3 > 536_870_911)
            throw Corrupt(start, $"has an invalid protobuf field number {tag >> 3}");
        ulong value = 0;
        int payloadStart = _position;
        switch (type)
        {
            case WireType.Varint:
                payloadStart = _position;
                value = ReadVarint();
                break;
            case WireType.Fixed64:
                Skip(start, 8);
                break;
            case WireType.Fixed32:
                Skip(start, 4);
                break;
            case WireType.LengthDelimited:
                ulong length = ReadVarint();
                payloadStart = _position;
                if (length > (ulong)(_message.Length - _position))
                    throw Truncated(start, $"field {number} declares {length:N0} bytes, but only {_message.Length - _position:N0} remain");
                _position += (int)length;
                break;
            default:
                throw Corrupt(start, $"has protobuf wire type {(int)type} in field {number}, which ONNX never writes");
        }
        field = new WireField(number, type, start, _position, payloadStart, value);
        return true;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        int start = _position;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _message.Length)
                throw Truncated(start, "a varint runs past the end of its message");
            byte b = _message[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw Corrupt(start, "has a varint longer than 10 bytes");
    }

    private void Skip(int start, int count)
    {
        if (_message.Length - _position < count)
            throw Truncated(start, $"a {count}-byte value runs past the end of its message");
        _position += count;
    }

    private readonly CheckpointException Truncated(int at, string what) =>
        new($"{_fileName} is truncated or corrupt: at byte {_fileOffset + at:N0}, {what}");

    private readonly CheckpointException Corrupt(int at, string what) =>
        new($"{_fileName} is corrupt: at byte {_fileOffset + at:N0}, it {what}");
}
