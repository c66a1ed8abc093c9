namespace NeuronKit.Tests.Cli;

/// <summary>Every <c>$ neuron …</c> example in README.md prints what the README shows (up to a "…" line, then its tail).</summary>
public class ReadmeExampleTests
{
    public static TheoryData<string> Examples() => [.. ReadExamples().Select(e => e.Command)];

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_README_shows_real_output(string command)
    {
        // Given an example and the output the README shows for it
        var expected = ReadExamples().First(e => e.Command == command).Output;

        // When the command runs (paths are relative to the repository)
        var args = command.Split(' ')[1..]
            .Select(a => File.Exists(Path.Combine(Fixtures.Root, a)) ? Path.Combine(Fixtures.Root, a) : a).ToArray();
        var run = CliRun.Of(args);
        var actual = (run.Stdout + run.Stderr).TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()).ToList();

        // Then it prints that output
        int cut = expected.FindIndex(l => l.Trim() == "…");
        if (cut < 0)
        {
            Assert.Equal(expected, actual);
            return;
        }
        var tail = expected[(cut + 1)..];
        Assert.Equal(expected[..cut], actual.Take(cut));
        Assert.Equal(tail, actual.TakeLast(tail.Count));
    }

    private static List<(string Command, List<string> Output)> ReadExamples()
    {
        var examples = new List<(string, List<string>)>();
        bool inBlock = false;
        List<string>? output = null;
        foreach (string line in File.ReadAllLines(Path.Combine(Fixtures.Root, "README.md")))
        {
            if (line.StartsWith("```"))
            {
                inBlock = !inBlock;
                output = null;
                continue;
            }
            if (!inBlock) continue;
            if (line.StartsWith("$ "))
            {
                output = line.StartsWith("$ neuron ") ? [] : null;
                if (output is not null) examples.Add((line[2..], output));
                continue;
            }
            output?.Add(line.TrimEnd());
        }
        foreach (var (_, lines) in examples)
            while (lines.Count > 0 && lines[^1] == "") lines.RemoveAt(lines.Count - 1);
        return examples;
    }
}
