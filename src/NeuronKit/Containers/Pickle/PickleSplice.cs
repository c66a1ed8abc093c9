using System.Buffers.Binary;
using System.Numerics;
using static NeuronKit.Containers.Pickle.PickleOpcodes;

namespace NeuronKit.Containers.Pickle;

/// <summary>
/// Our own pickle writer, for the few values a prune changes: it emits ints and tuples of ints the way CPython's
/// protocol 2 pickler does (Lib/pickle.py save_long, save_tuple), and splices them over the bytes that built the old
/// values, every other byte kept; FRAME lengths (protocol 4) are made right for what moved inside them.
/// </summary>
internal static class PickleSplice
{
    /// <summary>One value's bytes [Start, End) replaced by <see cref="Bytes"/>.</summary>
    public sealed record Replacement(long Start, long End, byte[] Bytes);

    /// <summary>An int as save_long writes it: BININT1, BININT2, BININT, else LONG1.</summary>
    public static byte[] Int(long value)
    {
        if (value is >= 0 and <= 0xff) return [BinInt1, (byte)value];
        if (value is >= 0 and <= 0xffff) return [BinInt2, (byte)value, (byte)(value >> 8)];
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            var bytes = new byte[5];
            bytes[0] = BinInt;
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), (int)value);
            return bytes;
        }
        // pickle.encode_long: two's complement, little-endian, as few bytes as hold the sign.
        byte[] encoded = new BigInteger(value).ToByteArray(isUnsigned: false, isBigEndian: false);
        return [Long1, (byte)encoded.Length, .. encoded];
    }

    /// <summary>A tuple of ints as save_tuple writes it: EMPTY_TUPLE, the items then TUPLE1..3, or MARK, items, TUPLE.</summary>
    public static byte[] IntTuple(IReadOnlyList<long> values)
    {
        if (values.Count == 0) return [EmptyTuple];
        var items = values.SelectMany(Int);
        return values.Count <= 3 ? [.. items, (byte)(Tuple1 + values.Count - 1)] : [Mark, .. items, PickleOpcodes.Tuple];
    }

    /// <summary>
    /// <paramref name="pickle"/> with <paramref name="replacements"/> (non-overlapping) applied, and each FRAME's length
    /// changed by what its replacements add or remove. Throws <see cref="CheckpointException"/> for a replacement that
    /// straddles a frame's end.
    /// </summary>
    public static byte[] Apply(byte[] pickle, IEnumerable<Replacement> replacements, IReadOnlyList<(long Offset, long Length)> frames, string fileName)
    {
        var edits = replacements.OrderBy(r => r.Start).ToList();
        foreach (var (offset, length) in frames)
        {
            long content = offset + 9, end = content + length;
            long delta = 0;
            foreach (var r in edits.Where(r => r.Start < end && r.End > content))
            {
                if (r.Start < content || r.End > end)
                    throw new CheckpointException($"{fileName}: a value to rewrite (pickle bytes {r.Start}..{r.End}) straddles a FRAME's end");
                delta += r.Bytes.Length - (r.End - r.Start);
            }
            if (delta == 0) continue;
            var newLength = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(newLength, length + delta);
            edits.Add(new Replacement(offset + 1, offset + 9, newLength));
        }
        edits.Sort((a, b) => a.Start.CompareTo(b.Start));
        using var output = new MemoryStream();
        long at = 0;
        foreach (var r in edits)
        {
            if (r.Start < at) throw new InvalidOperationException($"pickle replacements overlap at byte {r.Start}");
            output.Write(pickle, (int)at, (int)(r.Start - at));
            output.Write(r.Bytes);
            at = r.End;
        }
        output.Write(pickle, (int)at, (int)(pickle.Length - at));
        return output.ToArray();
    }
}
