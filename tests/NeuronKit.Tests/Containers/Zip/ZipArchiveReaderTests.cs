using System.Text;
using NeuronKit.Containers.Zip;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Containers.Zip;

public class ZipArchiveReaderTests
{
    private static ZipArchiveReader Open(byte[] bytes) => ZipArchiveReader.Open(new MemoryBytes(bytes), "test.zip");

    private static string Text(ZipArchiveReader zip, string name)
    {
        var record = zip.Read(zip.Find(name)!);
        return Encoding.UTF8.GetString(record.Source.Span(record.Offset, (int)record.Length));
    }

    [Fact]
    public void A_stored_entry_is_read_in_place_at_the_offset_its_local_header_gives()
    {
        // Given an entry whose local header carries 40 bytes of padding that the central directory does not
        var bytes = new ZipBuilder().Add("a/data.pkl", "pickle").Add("a/data/0", [1, 2, 3, 4], localPadding: 40).Build();

        // When
        var zip = Open(bytes);
        var record = zip.Read(zip.Find("a/data/0")!);

        // Then the data starts after the local header's own extra field, and is not copied
        Assert.True(record.IsInPlace);
        Assert.Equal(bytes.AsSpan().IndexOf(new byte[] { 1, 2, 3, 4 }), record.Offset);
        Assert.Equal(4, record.Length);
        Assert.Equal("pickle", Text(zip, "a/data.pkl"));
        Assert.Equal(["a/data.pkl", "a/data/0"], zip.Entries.Select(e => e.Name));
    }

    [Fact]
    public void A_deflated_entry_is_inflated_into_memory()
    {
        string text = string.Concat(Enumerable.Repeat("weights ", 500));
        var zip = Open(new ZipBuilder().Add("a/data.pkl", Encoding.UTF8.GetBytes(text), deflate: true).Build());

        var record = zip.Read(zip.Find("a/data.pkl")!);

        Assert.False(record.IsInPlace);
        Assert.IsType<InflatedMember>(record.Source);
        Assert.Equal(text, Encoding.UTF8.GetString(record.Source.Span(record.Offset, (int)record.Length)));
    }

    [Fact]
    public void A_zip_written_by_System_IO_Compression_is_read()
    {
        var buffer = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var w = new StreamWriter(archive.CreateEntry("m/data.pkl").Open())) w.Write("deflated");
            using (var w = new StreamWriter(archive.CreateEntry("m/version", System.IO.Compression.CompressionLevel.NoCompression).Open())) w.Write("3\n");
        }

        var zip = Open(buffer.ToArray());

        Assert.Equal("deflated", Text(zip, "m/data.pkl"));
        Assert.Equal("3\n", Text(zip, "m/version"));
    }

    [Fact]
    public void Zip64_end_records_and_extra_fields_are_read()
    {
        var zip = Open(new ZipBuilder { Zip64 = true }.Add("a/data.pkl", "x").Add("a/data/0", "yz").Build());

        Assert.Equal(2, zip.Entries.Count);
        Assert.Equal("yz", Text(zip, "a/data/0"));
    }

    [Fact]
    public void A_truncated_zip_is_refused_with_the_bytes_it_read()
    {
        // Given the first half of an archive: its central directory and end record are gone
        var whole = new ZipBuilder().Add("seed/data.pkl", new byte[600]).Add("seed/data/0", new byte[400]).Build();
        var half = whole[..(whole.Length / 2)];

        var e = Assert.Throws<CheckpointException>(() => ZipArchiveReader.Open(new MemoryBytes(half), "seed.pt"));

        // Then it says how much there was and the least a whole archive needs: two directory entries and the end record
        long atLeast = half.Length + 22 + (46 + "seed/data.pkl".Length);
        Assert.Equal($"seed.pt is truncated: zip central directory missing (read {half.Length} of at least {atLeast} bytes)", e.Message);
    }

    [Fact]
    public void An_end_record_hidden_in_a_comment_is_refused()
    {
        // Given a comment that itself ends with a well-formed end record whose comment reaches the end of the file
        byte[] fake = [.. ZipBuilder.U32(0x06054b50), .. new byte[16], .. ZipBuilder.U16(0)];
        var bytes = new ZipBuilder { Comment = fake }.Add("a/data.pkl", "x").Build();

        var e = Assert.Throws<CheckpointException>(() => Open(bytes));

        Assert.Contains("two zip end records", e.Message);
    }

    [Fact]
    public void Duplicate_entry_names_are_refused()
    {
        var e = Assert.Throws<CheckpointException>(() => Open(new ZipBuilder().Add("a/data.pkl", "1").Add("a/data.pkl", "2").Build()));

        Assert.Equal("test.zip is corrupt: it holds two zip entries named 'a/data.pkl'", e.Message);
    }

    [Theory]
    [InlineData(0x01)]
    [InlineData(0x20)]
    [InlineData(0x40)]
    public void Encrypted_or_patched_entries_are_refused(int flag)
    {
        var builder = new ZipBuilder().Add("a/data.pkl", "x");
        builder.Entries[0].Flags = flag;

        var e = Assert.Throws<CheckpointException>(() => Open(builder.Build()));

        Assert.Contains("encrypted or patched zip entry 'a/data.pkl'", e.Message);
    }

    [Theory]
    [InlineData("../evil.pkl")]
    [InlineData("a/../../evil.pkl")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/evil")]
    [InlineData("a\\b")]
    [InlineData("a/data\0.pkl")]
    public void Names_that_could_escape_a_folder_are_refused(string name)
    {
        var e = Assert.Throws<CheckpointException>(() => Open(new ZipBuilder().Add(name, "x").Build()));

        Assert.Contains("which is refused", e.Message);
    }

    [Fact]
    public void An_entry_whose_size_runs_past_the_next_record_is_refused()
    {
        var builder = new ZipBuilder().Add("a/data.pkl", "x").Add("a/data/0", "yz");
        builder.Entries[0].DeclaredCompressedSize = 1_000_000;
        builder.Entries[0].DeclaredUncompressedSize = 1_000_000;

        var e = Assert.Throws<CheckpointException>(() => Open(builder.Build()));

        Assert.Contains("zip entry 'a/data.pkl' (1000000 bytes at 0) overlaps the next record", e.Message);
    }

    [Fact]
    public void A_count_the_central_directory_cannot_hold_is_refused()
    {
        var e = Assert.Throws<CheckpointException>(() => Open(new ZipBuilder { DeclaredCount = 60_000 }.Add("a/data.pkl", "x").Build()));

        Assert.Contains("claims 60000 entries", e.Message);
    }

    [Fact]
    public void A_local_header_that_names_another_entry_is_refused()
    {
        var builder = new ZipBuilder().Add("a/data.pkl", "x");
        builder.Entries[0].LocalName = "a/other.pk";
        var zip = Open(builder.Build());

        var e = Assert.Throws<CheckpointException>(() => zip.Read(zip.Find("a/data.pkl")!));

        Assert.Contains("local header named 'a/other.pk' for zip entry 'a/data.pkl'", e.Message);
    }

    [Fact]
    public void A_deflated_entry_that_claims_an_impossible_ratio_is_refused_before_inflating()
    {
        var builder = new ZipBuilder().Add("a/data.pkl", new byte[10], deflate: true);
        builder.Entries[0].DeclaredUncompressedSize = 100_000_000;
        var zip = Open(builder.Build());

        var e = Assert.Throws<CheckpointException>(() => zip.Read(zip.Find("a/data.pkl")!));

        Assert.Contains("more than 1032:1", e.Message);
    }

    [Fact]
    public void A_deflated_entry_that_inflates_to_more_than_it_declares_is_refused()
    {
        var builder = new ZipBuilder().Add("a/data.pkl", new byte[1000], deflate: true);
        builder.Entries[0].DeclaredUncompressedSize = 10;
        var zip = Open(builder.Build());

        var e = Assert.Throws<CheckpointException>(() => zip.Read(zip.Find("a/data.pkl")!));

        Assert.Equal("test.zip is corrupt: zip entry 'a/data.pkl' declares 10 bytes but inflates to more", e.Message);
    }

    [Fact]
    public void Every_prefix_of_an_archive_fails_with_a_checkpoint_exception_or_opens()
    {
        // Given every truncation of a small archive, when opened and read, then only CheckpointException escapes
        var bytes = new ZipBuilder().Add("a/data.pkl", "pickle").Add("a/data/0", new byte[100], deflate: true).Build();
        var opened = new List<int>();
        int refused = 0;
        for (int length = 0; length <= bytes.Length; length++)
        {
            try
            {
                var zip = Open(bytes[..length]);
                foreach (var entry in zip.Entries) zip.Read(entry);
                opened.Add(length);
            }
            catch (CheckpointException e)
            {
                Assert.StartsWith("test.zip ", e.Message);
                refused++;
            }
        }

        // And the whole archive is among those that open, the cut ones among those refused
        Assert.True(opened.Contains(bytes.Length) && refused > 0, $"lengths {string.Join(", ", opened)} of {bytes.Length} opened, {refused} refused");
    }
}
