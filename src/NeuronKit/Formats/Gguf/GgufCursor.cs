using System.Buffers.Binary;
using System.Text;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Reads a GGUF header front to back. Every read is checked against the bytes left, so a count or length from the file
/// is never trusted before it fits; a short file fails as truncated, naming what was being read and where.
/// </summary>
internal sealed class GgufCursor(ByteSource source, string fileName)
{
    /// <summary>The file's name, for messages.</summary>
    public string FileName => fileName;

    /// <summary>The offset of the next byte to read.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes left after <see cref="Position"/>.</summary>
    public long Remaining => source.Length - Position;

    /// <summary>The next <paramref name="count"/> bytes, for <paramref name="what"/> (named if they are missing).</summary>
    public ReadOnlySpan<byte> Take(long count, string what)
    {
        if (count > Remaining)
            throw new CheckpointException($"{fileName} is truncated: {what} at byte {Position:N0} needs {count:N0} bytes, " +
                $"and {Remaining:N0} remain");
        var span = source.Span(Position, (int)count);
        Position += count;
        return span;
    }

    /// <summary>Skips <paramref name="count"/> bytes of <paramref name="what"/>.</summary>
    public void Skip(long count, string what)
    {
        if (count > Remaining)
            throw new CheckpointException($"{fileName} is truncated: {what} at byte {Position:N0} needs {count:N0} bytes, " +
                $"and {Remaining:N0} remain");
        Position += count;
    }

    /// <summary>A little-endian uint32.</summary>
    public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    /// <summary>A little-endian uint64.</summary>
    public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

    /// <summary>The length of a <c>gguf_string</c>, checked against the bytes left and against <paramref name="cap"/>.</summary>
    public long StringLength(string what, long cap)
    {
        long start = Position;
        ulong length = U64(what);
        if (length > (ulong)Remaining)
            throw new CheckpointException($"{fileName} is truncated or corrupt: {what}, a string of {length:N0} bytes at byte " +
                $"{start:N0}, runs past the end of the file ({source.Length:N0} bytes)");
        if ((long)length > cap)
            throw new CheckpointException($"{fileName} has {what} of {length:N0} bytes at byte {start:N0}, longer than the " +
                $"{cap:N0} bytes NeuronKit accepts");
        return (long)length;
    }

    /// <summary>A <c>gguf_string</c> (u64 length, UTF-8 bytes) of at most <paramref name="cap"/> bytes.</summary>
    public string String(string what, long cap)
    {
        long length = StringLength(what, cap);
        return Encoding.UTF8.GetString(Take(length, what));
    }
}
