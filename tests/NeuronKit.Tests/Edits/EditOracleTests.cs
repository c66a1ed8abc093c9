using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// <c>neuron edit</c> writes, byte for byte, the files the formats' own tools accepted: make_edits.py ran each edit and
/// judged the output with torch.load, zipfile's CRC check, NumPy, onnx.checker and ggml's reference quantizers, then
/// pinned its SHA-256. The same edit with <c>--in-place</c> must leave the same bytes.
/// </summary>
public class EditOracleTests
{
    public static TheoryData<string> Cases() => [.. Expected().Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_edited_file_is_the_one_the_formats_own_tools_accepted(string name)
    {
        var (input, args, sha) = Case(name);
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "edited" + Path.GetExtension(input));
        string before = PinnedCases.Sha(Fixtures.Path(input));

        var run = CliRun.Of(["edit", Fixtures.Path(input), .. args, "-o", output]);

        Assert.True(run.Exit == 0, run.Stderr);
        if (Judged(name) is { } judged) AssertSameMembers(Fixtures.Path(judged), output);
        else Assert.Equal(sha, PinnedCases.Sha(output));
        Assert.Equal(before, PinnedCases.Sha(Fixtures.Path(input)));
        Assert.Equal([output], Directory.GetFiles(folder.Path));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void In_place_writes_the_same_bytes(string name)
    {
        var (input, args, sha) = Case(name);
        using var folder = new TempFolder();
        string copy = Path.Combine(folder.Path, Path.GetFileName(input));
        File.Copy(Fixtures.Path(input), copy);

        string before = PinnedCases.Sha(copy);

        var run = CliRun.Of(["edit", copy, .. args, "--in-place"]);

        if (Judged(name) is not null)
        {
            // Deflated members have no place in the file to be written back to: only a new file can hold them.
            Assert.Equal(2, run.Exit);
            Assert.Contains("cannot be written in place", run.Stderr);
            Assert.Equal(before, PinnedCases.Sha(copy));
        }
        else
        {
            Assert.True(run.Exit == 0, run.Stderr);
            Assert.Equal(sha, PinnedCases.Sha(copy));
        }
        Assert.Equal([copy], Directory.GetFiles(folder.Path));   // no journal left behind
    }

    [Fact]
    public void A_dry_run_writes_nothing_and_reports_the_same_writes()
    {
        var (input, args, _) = Case("pt_conv_zero_outgoing");
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "edited.pt");

        var dry = CliRun.Of(["edit", Fixtures.Path(input), .. args, "-o", output, "--dry-run", "--json"]);
        var real = CliRun.Of(["edit", Fixtures.Path(input), .. args, "-o", output, "--json"]);

        Assert.Equal(0, dry.Exit);
        using var planned = JsonDocument.Parse(dry.Stdout);
        using var written = JsonDocument.Parse(real.Stdout);
        Assert.True(planned.RootElement.GetProperty("dry_run").GetBoolean());
        Assert.Equal(0, planned.RootElement.GetProperty("bytes_written").GetInt64());
        Assert.Equal(written.RootElement.GetProperty("writes").GetRawText(), planned.RootElement.GetProperty("writes").GetRawText());
        Assert.Equal(3, written.RootElement.GetProperty("changes").GetArrayLength());
        Assert.All(written.RootElement.GetProperty("changes").EnumerateArray(), c => Assert.Equal(0, c.GetProperty("l2_after").GetDouble()));
    }

    [Fact]
    public void An_edit_of_a_deflated_archive_reports_the_archive_written_anew()
    {
        var (input, args, _) = Case("npz_compressed_scale");
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "edited.npz");

        var dry = CliRun.Of(["edit", Fixtures.Path(input), .. args, "-o", output, "--dry-run"]);
        var text = CliRun.Of(["edit", Fixtures.Path(input), .. args, "-o", output]);
        long length = new FileInfo(output).Length;
        var json = CliRun.Of(["edit", Fixtures.Path(input), .. args, "-o", output, "--json"]);

        Assert.Equal(0, text.Exit);
        Assert.EndsWith("would write the archive anew: conv1.weight.npy, conv1.bias.npy deflated anew", dry.Stdout.TrimEnd());
        Assert.EndsWith($"wrote the archive anew, {length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes: conv1.weight.npy, conv1.bias.npy deflated anew", text.Stdout.TrimEnd());
        using var report = JsonDocument.Parse(json.Stdout);
        Assert.Equal(length, report.RootElement.GetProperty("bytes_written").GetInt64());
        var run = Assert.Single(report.RootElement.GetProperty("writes").EnumerateArray());
        Assert.Equal(("edited.npz", 0, length), (run.GetProperty("file").GetString(), run.GetProperty("offset").GetInt64(), run.GetProperty("length").GetInt64()));
        Assert.Equal(["conv1.weight.npy", "conv1.bias.npy"], report.RootElement.GetProperty("rewritten_members").EnumerateArray().Select(m => m.GetString()));
    }

    internal static (string Input, string[] Args, string Sha) Case(string name)
    {
        var c = Expected().Single(e => e.GetProperty("name").GetString() == name);
        // The --set file is named relative to tests/fixtures, where the script ran.
        string[] args = [.. c.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)
            .Select(a => a.EndsWith(".npy", StringComparison.Ordinal) ? Fixtures.Path(a) : a)];
        return (c.GetProperty("input").GetString()!, args, c.GetProperty("sha256").GetString()!);
    }

    // Deflate's output depends on the zlib build, so a rewritten archive is compared with the judged one member by member:
    // the same names in the same order, each stored or deflated as there, with the same bytes once inflated.
    private static void AssertSameMembers(string judged, string output)
    {
        using var expected = System.IO.Compression.ZipFile.OpenRead(judged);
        using var actual = System.IO.Compression.ZipFile.OpenRead(output);
        Assert.Equal(expected.Entries.Select(e => (e.FullName, e.CompressedLength == e.Length)),
            actual.Entries.Select(e => (e.FullName, e.CompressedLength == e.Length)));
        foreach (var (want, got) in expected.Entries.Zip(actual.Entries))
            Assert.Equal(Inflated(want), Inflated(got));
    }

    private static byte[] Inflated(System.IO.Compression.ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string? Judged(string name) =>
        Expected().Single(e => e.GetProperty("name").GetString() == name).TryGetProperty("judged", out var judged) ? judged.GetString() : null;

    private static List<JsonElement> Expected() => PinnedCases.Read("edits/expected_edits.json");
}
