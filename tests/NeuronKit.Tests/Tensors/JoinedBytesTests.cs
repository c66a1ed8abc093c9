using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Tensors;

/// <summary>Runs of a file read, edited and copied as one: what a Flax array split into chunks is read through.</summary>
public class JoinedBytesTests
{
    // Bytes 0..99 of a file, and the runs [10, 14), [40, 40) (empty), [50, 56), [90, 93) joined: 13 bytes.
    private static readonly (long, long)[] Runs = [(10, 4), (40, 0), (50, 6), (90, 3)];
    private static readonly byte[] Expected = [10, 11, 12, 13, 50, 51, 52, 53, 54, 55, 90, 91, 92];

    private static TempFile File() => new("data.bin", [.. Enumerable.Range(0, 100).Select(i => (byte)i)]);

    [Fact]
    public void Every_range_reads_the_runs_bytes_in_order()
    {
        using var file = File();
        using var source = MappedFile.Open(file.Path);
        var joined = new JoinedBytes(source, Runs);

        Assert.Equal(13, joined.Length);
        for (int start = 0; start <= 13; start++)
            for (int length = 0; start + length <= 13; length++)
            {
                var read = new byte[length];
                joined.Read(start, read);
                Assert.Equal(Expected[start..(start + length)], read);
                Assert.Equal(Expected[start..(start + length)], joined.Span(start, length).ToArray());
            }
    }

    [Fact]
    public void A_copy_takes_each_run_s_bytes()
    {
        using var file = File();
        using var source = MappedFile.Open(file.Path);
        using var copy = new MemoryStream();

        new JoinedBytes(source, Runs).CopyTo(2, 10, copy);

        Assert.Equal(Expected[2..12], copy.ToArray());
    }

    [Fact]
    public void A_write_across_runs_is_planned_where_each_piece_lies_in_the_file()
    {
        using var file = File();
        using var source = MappedFile.Open(file.Path);
        var patches = new PatchSet();

        new JoinedBytes(source, Runs).Write(3, [1, 2, 3, 4, 5, 6, 7, 8], patches);

        Assert.Equal([(13L, new byte[] { 1 }), (50L, new byte[] { 2, 3, 4, 5, 6, 7 }), (90L, new byte[] { 8 })],
            patches.Runs(file.Path).Select(r => (r.Offset, r.Bytes)));
    }

    [Fact]
    public void Ranges_outside_the_runs_or_the_file_are_refused()
    {
        using var file = File();
        using var source = MappedFile.Open(file.Path);
        var joined = new JoinedBytes(source, Runs);

        Assert.Throws<ArgumentOutOfRangeException>(() => joined.Read(10, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JoinedBytes(source, [(98, 3)]));
    }
}
