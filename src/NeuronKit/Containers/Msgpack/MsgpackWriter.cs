using System.Buffers.Binary;
using System.Text;

namespace NeuronKit.Containers.Msgpack;

/// <summary>
/// Writes msgpack values' heads (github.com/msgpack/msgpack/blob/master/spec.md) in the smallest form each allows, as
/// msgpack-python's packer does (with <c>use_bin_type</c>, as Flax packs): so that what NeuronKit writes of a value is
/// the bytes Flax would have written of it.
/// </summary>
internal sealed class MsgpackWriter(Stream stream)
{
    private static readonly UTF8Encoding Utf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>An array's head, its <paramref name="count"/> items to follow.</summary>
    public MsgpackWriter Array(long count) => count < 16 ? Byte((byte)(0x90 | count)) : Sized(count, 0, 0xdc, 0xdd);

    /// <summary>An integer: a positive one as unsigned, as msgpack-python packs it.</summary>
    public MsgpackWriter Integer(long value) => value switch
    {
        >= 0 and < 0x80 => Byte((byte)value),
        >= 0x80 and <= byte.MaxValue => Byte(0xcc).Byte((byte)value),
        >= -0x20 and < 0 => Byte((byte)(sbyte)value),
        > byte.MaxValue and <= ushort.MaxValue => Byte(0xcd).Big(value, 2),
        > ushort.MaxValue and <= uint.MaxValue => Byte(0xce).Big(value, 4),
        > uint.MaxValue => Byte(0xcf).Big(value, 8),
        >= sbyte.MinValue => Byte(0xd0).Byte((byte)(sbyte)value),
        >= short.MinValue => Byte(0xd1).Big(value, 2),
        >= int.MinValue => Byte(0xd2).Big(value, 4),
        _ => Byte(0xd3).Big(value, 8),
    };

    /// <summary>A string, UTF-8.</summary>
    public MsgpackWriter String(string text)
    {
        var bytes = Utf8.GetBytes(text);
        if (bytes.Length < 32) Byte((byte)(0xa0 | bytes.Length));
        else Sized(bytes.Length, 0xd9, 0xda, 0xdb);
        stream.Write(bytes);
        return this;
    }

    /// <summary>A bin's head, its <paramref name="length"/> bytes to follow.</summary>
    public MsgpackWriter BinaryHead(long length) => Sized(length, 0xc4, 0xc5, 0xc6);

    /// <summary>An extension's head: its type, its <paramref name="length"/> bytes to follow.</summary>
    public MsgpackWriter ExtensionHead(sbyte type, long length)
    {
        _ = length switch
        {
            1 => Byte(0xd4),
            2 => Byte(0xd5),
            4 => Byte(0xd6),
            8 => Byte(0xd7),
            16 => Byte(0xd8),
            _ => Sized(length, 0xc7, 0xc8, 0xc9),
        };
        return Byte((byte)type);
    }

    // A length in one, two or four bytes, after the type byte of that size (0: none has one byte).
    private MsgpackWriter Sized(long length, byte one, byte two, byte four) => length switch
    {
        <= byte.MaxValue when one != 0 => Byte(one).Byte((byte)length),
        <= ushort.MaxValue => Byte(two).Big(length, 2),
        <= uint.MaxValue => Byte(four).Big(length, 4),
        _ => throw new RequestException($"msgpack cannot hold {length:N0} items or bytes in one value"),
    };

    private MsgpackWriter Byte(byte value)
    {
        stream.WriteByte(value);
        return this;
    }

    // The low `size` bytes of a value, big-endian, as msgpack stores every number.
    private MsgpackWriter Big(long value, int size)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        stream.Write(bytes[(8 - size)..]);
        return this;
    }
}
