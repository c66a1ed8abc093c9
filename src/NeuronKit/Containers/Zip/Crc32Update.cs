using System.IO.Hashing;

namespace NeuronKit.Containers.Zip;

/// <summary>
/// The CRC-32 of a record after some of its bytes change, from its CRC before and the changed runs alone, in time of the
/// runs' length (not the record's: a row of a 64 MiB weight is kilobytes of work, not a pass over the record).
/// CRC-32 is affine over GF(2): for two messages of one length, CRC(A) ⊕ CRC(B) is the register that starts at 0 and reads
/// A ⊕ B with no final inversion, so each run adds its difference, carried through the zero bytes after it by the
/// register's one-byte step raised to that power. The record's old CRC is taken as given: a record whose stored CRC was
/// already wrong stays detectably wrong.
/// </summary>
internal static class Crc32Update
{
    private const uint Polynomial = 0xEDB88320; // CRC-32 (ISO-HDLC, zip), reflected

    // The register's step over one zero byte, as a linear map: column i is the image of bit i.
    private static readonly uint[] ZeroByte = Step();

    /// <summary>
    /// The CRC of a <paramref name="length"/>-byte record whose CRC was <paramref name="crc"/>, after the bytes at each
    /// run's offset (relative to the record) change from <c>Old</c> to <c>New</c>.
    /// </summary>
    public static uint Apply(uint crc, long length, IEnumerable<(long Offset, byte[] Old, byte[] New)> runs)
    {
        foreach (var (offset, old, @new) in runs)
        {
            var delta = new byte[old.Length];
            for (int i = 0; i < delta.Length; i++) delta[i] = (byte)(old[i] ^ @new[i]);
            // The register from 0 over the difference: the library's CRC less the CRC of as many zero bytes.
            uint register = Crc32.HashToUInt32(delta) ^ Crc32.HashToUInt32(new byte[delta.Length]);
            crc ^= Times(Power(ZeroByte, length - offset - delta.Length), register);
        }
        return crc;
    }

    private static uint[] Step()
    {
        var columns = new uint[32];
        for (int bit = 0; bit < 32; bit++)
        {
            uint r = 1u << bit;
            for (int k = 0; k < 8; k++) r = (r & 1) != 0 ? (r >> 1) ^ Polynomial : r >> 1;
            columns[bit] = r;
        }
        return columns;
    }

    private static uint Times(uint[] matrix, uint vector)
    {
        uint result = 0;
        for (int bit = 0; vector != 0; bit++, vector >>= 1)
            if ((vector & 1) != 0) result ^= matrix[bit];
        return result;
    }

    // matrix^n by squaring: 62 squarings at most for any record size.
    private static uint[] Power(uint[] matrix, long n)
    {
        var result = new uint[32];
        for (int bit = 0; bit < 32; bit++) result[bit] = 1u << bit;
        var square = matrix;
        for (; n > 0; n >>= 1)
        {
            if ((n & 1) != 0) result = [.. result.Select(column => Times(square, column))];
            square = [.. square.Select(column => Times(square, column))];
        }
        return result;
    }
}
