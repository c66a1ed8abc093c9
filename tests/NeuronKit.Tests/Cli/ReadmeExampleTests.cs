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

        // When the command runs (paths of files and folders are relative to the repository; a file it writes, the picture of
        // `render -o docs/x.png`, goes to a temporary folder instead of over the committed one)
        using var written = new TempFile("placeholder", []);
        // A quoted glob (`neuron track 'run/*.pt'`) reaches the tool unexpanded, as a shell passes it.
        var words = command.Split(' ')[1..].Select(w => w.Length > 1 && w[0] == '\'' && w[^1] == '\'' ? w[1..^1] : w).ToArray();
        string folder = Path.GetDirectoryName(written.Path)!;
        var args = words.Select((a, i) => i > 0 && words[i - 1] is "-o" or "--output" or "--parquet"
                ? Path.Combine(folder, Path.GetFileName(a))
                : File.Exists(Path.Combine(Fixtures.Root, a)) || Directory.Exists(Path.Combine(Fixtures.Root, a)) || a.Contains('*')
                    ? Path.Combine(Fixtures.Root, a) : a).ToArray();
        var run = CliRun.Of(args);
        // A command that names the file it wrote names it as the README does.
        string printed = (run.Stdout + run.Stderr).Replace(folder + Path.DirectorySeparatorChar, "").TrimEnd('\n');
        List<string> actual = printed.Length == 0 ? [] : [.. printed.Split('\n').Select(l => l.TrimEnd())];

        // Then it writes what it was asked to, and prints that output
        Assert.All(args.Where((_, i) => i > 0 && args[i - 1] is "-o" or "--output" or "--parquet"), path => Assert.True(File.Exists(path), $"{command} wrote no {path}"));
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
