using System.Buffers.Binary;

namespace NeuronKit.Tests.Fuzz;

/// <summary>One way to damage a valid file, applied with a seeded random source so every case can be replayed.</summary>
internal static class Mutation
{
    /// <summary>A mutated copy of <paramref name="file"/> and a description of what was done.</summary>
    public static (byte[] Bytes, string What) Apply(byte[] file, Random random)
    {
        var bytes = (byte[])file.Clone();
        int kind = random.Next(6);
        int at = bytes.Length == 0 ? 0 : random.Next(bytes.Length);
        switch (kind)
        {
            case 0:
                int flips = 1 + random.Next(8);
                for (int i = 0; i < flips && bytes.Length > 0; i++)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return (bytes, $"{flips} bit flips");
            case 1:
                int count = 1 + random.Next(16);
                var inserted = new byte[count];
                random.NextBytes(inserted);
                return ([.. bytes[..at], .. inserted, .. bytes[at..]], $"{count} bytes inserted at {at}");
            case 2:
                int length = Math.Min(1 + random.Next(16), bytes.Length - at);
                return ([.. bytes[..at], .. bytes[(at + length)..]], $"{length} bytes deleted at {at}");
            case 3:
                return (bytes[..at], $"truncated to {at} bytes");
            case 4:
                // Length fields are the classic overflow: make a 4- or 8-byte little-endian value huge.
                ulong value = random.Next(4) switch
                {
                    0 => 0xFFFFFFFF,
                    1 => 0x7FFFFFFF,
                    2 => ulong.MaxValue,
                    _ => (ulong)random.NextInt64(),
                };
                if (random.Next(2) == 0 && at + 4 <= bytes.Length)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)value);
                    return (bytes, $"u32 at {at} set to {(uint)value}");
                }
                if (at + 8 <= bytes.Length)
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), value);
                return (bytes, $"u64 at {at} set to {value}");
            default:
                // A small integer doubled or bumped: sizes just past the end of the file.
                if (bytes.Length > 0) bytes[at] = (byte)(bytes[at] * 2 + random.Next(3));
                return (bytes, $"byte {at} grown");
        }
    }
}
