using System.IO.Hashing;
using NeuronKit.Containers.Zip;

namespace NeuronKit.Tests.Containers.Zip;

/// <summary>A record's CRC-32 brought up to date from the changed runs alone equals the CRC computed over the whole record.</summary>
public class Crc32UpdateTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 100, 3)]
    [InlineData(3, 4096, 1)]
    [InlineData(4, 70_000, 5)]
    [InlineData(5, 1 << 20, 8)]
    public void Updating_from_the_changed_runs_equals_computing_over_the_whole_record(int seed, int length, int count)
    {
        var random = new Random(seed);
        var before = new byte[length];
        random.NextBytes(before);
        var after = (byte[])before.Clone();
        var runs = new List<(long, byte[], byte[])>();
        long next = 0;
        for (int i = 0; i < count && next < length; i++)
        {
            long offset = next + random.Next(0, (int)Math.Max(1, (length - next) / count));
            int size = (int)Math.Min(length - offset, random.Next(1, 64));
            var old = before.AsSpan((int)offset, size).ToArray();
            var @new = new byte[size];
            random.NextBytes(@new);
            @new.CopyTo(after, offset);
            runs.Add((offset, old, @new));
            next = offset + size;
        }

        uint updated = Crc32Update.Apply(Crc32.HashToUInt32(before), length, runs);

        Assert.Equal(Crc32.HashToUInt32(after), updated);
    }
}
