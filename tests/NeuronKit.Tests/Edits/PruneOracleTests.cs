using System.IO.Compression;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// <c>neuron prune</c> writes, byte for byte, the files the formats' own tools accepted: make_prune.py ran each prune,
/// loaded the result with torch.load, NumPy or the safetensors reader into the module built with the smaller sizes, and
/// checked that it computes what the original with the neurons ablated computes, then pinned its SHA-256.
/// </summary>
public class PruneOracleTests
{
    public static TheoryData<string> Cases() => [.. PinnedCases.Read(Pinned).Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pruned_file_is_the_one_the_formats_own_tools_accepted(string name)
    {
        using var folder = new TempFolder();
        string input = Fixtures.Path(PinnedCases.Named(Pinned, name).GetProperty("input").GetString()!);

        string output = PinnedCases.Prune(PinnedCases.Named(Pinned, name), folder, "pruned" + Path.GetExtension(input));

        Assert.Equal([output], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_torch_archive_zipped_again_with_deflate_prunes_to_the_bytes_torch_would_write()
    {
        // Given mlp.pt with every record deflated by another zip tool
        var c = PinnedCases.Named(Pinned, "mlp_two_layers_pt");
        using var folder = new TempFolder();
        string deflated = Path.Combine(folder.Path, "mlp.pt");
        using (var source = ZipFile.OpenRead(Fixtures.Path("prune/mlp.pt")))
        using (var target = ZipFile.Open(deflated, ZipArchiveMode.Create))
            foreach (var entry in source.Entries)
            {
                using var from = entry.Open();
                using var to = target.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
                from.CopyTo(to);
            }
        string output = Path.Combine(folder.Path, "pruned.pt");

        // When it is pruned
        var run = CliRun.Of(["prune", deflated, .. c.GetProperty("args").EnumerateArray().Select(a => a.GetString()!), "-o", output]);

        // Then the records are written stored, as torch.save writes them: the same bytes as from the original
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal(c.GetProperty("sha256").GetString(), PinnedCases.Sha(output));
    }

    [Fact]
    public void A_view_into_a_storage_another_tensor_reads_is_refused_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        string input = Fixtures.Path("prune/mlp.shared.pt");
        string before = PinnedCases.Sha(input);

        var run = CliRun.Of(["prune", input, "net.0", "1", "-o", Path.Combine(folder.Path, "pruned.pt")]);

        Assert.Equal(2, run.Exit);
        Assert.Contains("net.0.bias shares its storage with padding", run.Stderr);
        Assert.Equal(before, PinnedCases.Sha(input));
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_per_channel_quantized_tensor_cuts_its_scales_and_zero_points_with_its_channels()
    {
        var run = CliRun.Of(["prune", Fixtures.Path("prune/qcnn.pt"), "net.0", "2,5", "--dry-run"]);

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Matches(@"net\.0\.weight scales +\[6\] → \[4\] +dim 0: 2, 5", run.Stdout);
        Assert.Matches(@"net\.0\.weight zero points +\[6\] → \[4\] +dim 0: 2, 5", run.Stdout);
    }

    [Fact]
    public void Per_channel_scales_kept_as_lists_are_refused_by_name_and_nothing_is_written()
    {
        using var folder = new TempFolder();

        var run = CliRun.Of(["prune", Fixtures.Path("prune/qlist.pt"), "net.0", "1", "-o", Path.Combine(folder.Path, "pruned.pt")]);

        Assert.Equal(2, run.Exit);
        Assert.Contains("net.0.weight keeps its per-channel scales and zero points as lists", run.Stderr);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    private const string Pinned = "prune/expected_prune.json";
}
