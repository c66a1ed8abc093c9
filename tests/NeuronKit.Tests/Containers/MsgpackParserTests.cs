using NeuronKit.Containers.Msgpack;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Containers;

/// <summary>The msgpack parser against files of many small values: few reads of the source, and a cap on the values.</summary>
public class MsgpackParserTests
{
    // A map of `entries` string keys, each to an empty array: two values an entry, three bytes or more each.
    private static byte[] ManySmallValues(int entries)
    {
        using var bytes = new MemoryStream();
        bytes.WriteByte(0xdf);
        bytes.Write([(byte)(entries >> 24), (byte)(entries >> 16), (byte)(entries >> 8), (byte)entries]);
        for (int i = 0; i < entries; i++)
        {
            byte[] key = System.Text.Encoding.ASCII.GetBytes($"k{i}");
            bytes.WriteByte((byte)(0xa0 | key.Length));
            bytes.Write(key);
            bytes.WriteByte(0x90);
        }
        return bytes.ToArray();
    }

    // Counts the reads a parse makes of its source.
    private sealed class CountingBytes(byte[] bytes) : ByteSource
    {
        private readonly MemoryBytes _inner = new(bytes);

        public int Reads { get; private set; }

        public override long Length => _inner.Length;

        public override ReadOnlySpan<byte> Span(long offset, int length)
        {
            Reads++;
            return _inner.Span(offset, length);
        }

        public override void Read(long offset, Span<byte> destination)
        {
            Reads++;
            _inner.Read(offset, destination);
        }

        public override void Write(long offset, ReadOnlySpan<byte> bytes, NeuronKit.Edits.PatchSet patches) => throw new NotSupportedException();
    }

    [Fact]
    public void Small_values_are_read_a_window_at_a_time_not_one_read_each()
    {
        byte[] bytes = ManySmallValues(100_000);
        var source = new CountingBytes(bytes);

        var value = MsgpackParser.Parse(source, 0, bytes.Length, "many.msgpack");

        Assert.Equal(100_000, value.Entries.Count);
        // About 900 kB in windows of up to 128 KiB, growing from 256 bytes: a few dozen reads, where one a value made 300,000.
        Assert.InRange(source.Reads, 1, 40);
    }

    [Fact]
    public void A_file_of_more_values_than_the_cap_is_refused_before_it_grows_the_parse_further()
    {
        byte[] bytes = ManySmallValues(MsgpackParser.MaxValues / 2 + 1);

        var refused = Assert.Throws<CheckpointException>(() => MsgpackParser.Parse(new MemoryBytes(bytes), 0, bytes.Length, "many.msgpack"));

        Assert.Contains("holds more than 500,000 msgpack values", refused.Message);
    }
}
