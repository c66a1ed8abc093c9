using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// A GroupNorm whose file states its groups (a pickled module's num_groups, a Keras config's groups) keeps them of one
/// size through a prune: whole groups go, exactly, and a note says the norm has fewer; as many channels of each group go
/// with the note of an approximation; anything else is refused naming both. A state dict states none, and its prune goes
/// ahead with the approximation note. group_norm/ (make_group_norm.py, which judged every written file with PyTorch or
/// numpy: whole groups give the original's output with those channels ablated).
/// </summary>
public class PruneGroupNormTests
{
    private static readonly JsonElement[] Cases =
        [.. JsonDocument.Parse(File.ReadAllText(Fixtures.Path("group_norm/expected.json"))).RootElement.GetProperty("prune").EnumerateArray()];

    public static TheoryData<string, string> Prunes()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in Cases) data.Add(c.GetProperty("input").GetString()!, string.Join(" ", c.GetProperty("args").EnumerateArray().Select(a => a.GetString())));
        return data;
    }

    [Theory]
    [MemberData(nameof(Prunes))]
    public void A_prune_across_a_GroupNorm_keeps_its_groups_of_one_size_or_is_refused(string input, string args)
    {
        // Given
        var expected = Cases.Single(c => c.GetProperty("input").GetString() == input
            && string.Join(" ", c.GetProperty("args").EnumerateArray().Select(a => a.GetString())) == args);
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned" + Path.GetExtension(input));

        // When
        var run = CliRun.Of(["prune", Fixtures.Path(input), .. args.Split(' '), "-o", output]);

        // Then it exits as PyTorch's judgement says, with its words, and writes a file only when it goes ahead
        Assert.Equal(expected.GetProperty("exit").GetInt32(), run.Exit);
        Assert.Contains(expected.GetProperty("contains").GetString()!, run.Stderr);
        Assert.Equal(run.Exit == 0, File.Exists(output));
        if (run.Exit != 0) Assert.Contains("hint: remove as many of its channels from each group (the same one of each: 0, 4, 8), or whole groups (group 0 is its channels 0..3)", run.Stderr);
    }
}
