using System.Security.Cryptography;
using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// The cases the fixture scripts judged with the formats' own tools and pinned (edits/expected_edits.json,
/// prune/expected_prune*.json), and the one way the tests run a pinned prune.
/// </summary>
internal static class PinnedCases
{
    /// <summary>Every case of <paramref name="file"/> (under tests/fixtures).</summary>
    public static List<JsonElement> Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Fixtures.Path(file)));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The case of <paramref name="file"/> named <paramref name="name"/>.</summary>
    public static JsonElement Named(string file, string name) => Read(file).Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>The SHA-256 of a file, lower-case hex, as the scripts pin it.</summary>
    public static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// Runs the case's <c>neuron prune</c> into <paramref name="outputName"/> in <paramref name="folder"/> and checks what
    /// every pinned prune must give: exit 0, the pinned bytes, and the input as it was. Returns the output's path.
    /// </summary>
    public static string Prune(JsonElement pinned, TempFolder folder, string outputName)
    {
        string input = Fixtures.Path(pinned.GetProperty("input").GetString()!);
        string[] args = [.. pinned.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)];
        string output = Path.Combine(folder.Path, outputName);
        string before = Sha(input);

        var run = CliRun.Of(["prune", input, .. args, "-o", output]);

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal(pinned.GetProperty("sha256").GetString(), Sha(output));
        Assert.Equal(before, Sha(input));
        return output;
    }
}
