using System.Numerics;

namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// HDF5's metadata checksum (H5_checksum_metadata): Bob Jenkins' lookup3 <c>hashlittle</c> over the bytes, seed 0, as
/// version 2 object headers and superblocks 2 and 3 keep it after the bytes they cover.
/// </summary>
internal static class Hdf5Checksum
{
    /// <summary>The checksum of <paramref name="bytes"/>.</summary>
    public static uint Of(ReadOnlySpan<byte> bytes)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)bytes.Length;
        while (bytes.Length > 12)
        {
            a += Word(bytes, 0);
            b += Word(bytes, 4);
            c += Word(bytes, 8);
            Mix(ref a, ref b, ref c);
            bytes = bytes[12..];
        }
        if (bytes.Length == 0) return c;
        // The last 1 to 12 bytes, zero-padded: each byte to its place in a, b or c.
        Span<byte> last = stackalloc byte[12];
        last.Clear();
        bytes.CopyTo(last);
        a += Word(last, 0);
        b += Word(last, 4);
        c += Word(last, 8);
        Final(ref a, ref b, ref c);
        return c;
    }

    private static uint Word(ReadOnlySpan<byte> bytes, int at) =>
        bytes[at] | (uint)bytes[at + 1] << 8 | (uint)bytes[at + 2] << 16 | (uint)bytes[at + 3] << 24;

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
    }
}
