using System.Buffers.Binary;

namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// Reads the little-endian fields of one HDF5 metadata block (a superblock, an object header's chunk, a message) in
/// order; a field past the block's end is the file's corruption, never an exception of another kind.
/// </summary>
internal ref struct Hdf5Fields
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly Hdf5File _file;
    private readonly string _what;

    /// <summary>Reads <paramref name="bytes"/>, <paramref name="what"/> naming the block in errors.</summary>
    public Hdf5Fields(ReadOnlySpan<byte> bytes, Hdf5File file, string what)
    {
        _bytes = bytes;
        _file = file;
        _what = what;
    }

    /// <summary>The next field's position in the block.</summary>
    public int Position { get; private set; }

    /// <summary>The bytes left after <see cref="Position"/>.</summary>
    public readonly int Remaining => _bytes.Length - Position;

    /// <summary>The next <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > Remaining) throw _file.Corrupt($"{_what} ends before its fields do");
        var taken = _bytes.Slice(Position, (int)count);
        Position += (int)count;
        return taken;
    }

    public void Skip(long count) => Take(count);

    public byte Byte() => Take(1)[0];

    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>An unsigned integer of 1, 2, 4 or 8 bytes (HDF5's variable-width fields).</summary>
    public ulong Unsigned(int size) => size switch
    {
        1 => Byte(),
        2 => UInt16(),
        4 => UInt32(),
        8 => UInt64(),
        _ => throw _file.Corrupt($"{_what} has a field of {size} bytes"),
    };

    /// <summary>An address (the superblock's size of offsets), or -1 for HDF5's undefined address (all bits set).</summary>
    public long Address()
    {
        ulong value = Unsigned(_file.OffsetSize);
        if (value == (_file.OffsetSize == 8 ? ulong.MaxValue : (1UL << (8 * _file.OffsetSize)) - 1)) return -1;
        return value <= long.MaxValue ? (long)value : throw _file.Corrupt($"{_what} has an address past any file ({value})");
    }

    /// <summary>A length (the superblock's size of lengths).</summary>
    public long Length()
    {
        ulong value = Unsigned(_file.LengthSize);
        return value <= long.MaxValue ? (long)value : throw _file.Corrupt($"{_what} has a length past any file ({value})");
    }

    /// <summary>The bytes up to the next NUL (which is consumed), as UTF-8.</summary>
    public string NulTerminated()
    {
        int end = _bytes[Position..].IndexOf((byte)0);
        if (end < 0) throw _file.Corrupt($"{_what} has a name without its terminating NUL");
        string text = System.Text.Encoding.UTF8.GetString(_bytes.Slice(Position, end));
        Position += end + 1;
        return text;
    }
}
