using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Security;

/// <summary>
/// The corpus of tests/fixtures/make_malicious.py: pickles that call os.system, eval, exec, getattr, subprocess,
/// runpy, functools.partial, a nested pickle.loads, a computed legacy magic number, and memo, MARK and string bombs.
/// The script proved each code payload creates the sentinel under Python's own pickle; NeuronKit refuses every file,
/// names what it refused, and the sentinel never appears.
/// </summary>
public class MaliciousCorpusTests
{
    private static readonly JsonElement Manifest =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("malicious/manifest.json"))).RootElement;

    public static TheoryData<string> Files() => [.. Manifest.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("file").GetString()!)];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_malicious_file_is_refused_by_name_and_nothing_runs(string file)
    {
        // Given a file whose payload Python's pickle would run, and no sentinel
        var entry = Manifest.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("file").GetString() == file);
        string sentinel = Manifest.GetProperty("sentinel").GetString()!;
        File.Delete(sentinel);
        string path = Fixtures.Path($"malicious/{file}");

        // When every command reads it
        var runs = new[] { CliRun.Of("layers", path), CliRun.Of("tensors", path), CliRun.Of("show", path, "fc", "0") };

        // Then each refuses it with a message naming what it refused, and the payload never ran
        foreach (var run in runs)
        {
            Assert.Equal(3, run.Exit);
            Assert.StartsWith($"error: {file} ", run.Stderr);
            Assert.Contains(entry.GetProperty("contains").GetString()!, run.Stderr);
            if (entry.GetProperty("runs_in_python").GetBoolean()) Assert.Contains("nothing was run", run.Stderr);
        }
        Assert.False(File.Exists(sentinel), $"{sentinel} exists: a payload ran");
    }

    [Fact]
    public void The_corpus_holds_every_kind_of_attack_the_issue_names()
    {
        var contains = Manifest.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("contains").GetString()).ToHashSet();

        foreach (var callee in new[] { "os.system", "posix.system", "builtins.eval", "builtins.exec", "builtins.getattr",
                     "subprocess.check_call", "runpy._run_code", "functools.partial", "pickle.loads", "memo bomb", "MARK" })
            Assert.Contains(callee, contains);
    }
}
