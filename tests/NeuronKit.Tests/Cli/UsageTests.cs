using System.CommandLine;
using NeuronKit.Cli;
using NeuronKit.Cli.Commands;

namespace NeuronKit.Tests.Cli;

/// <summary>The usage printed after a wrong command line is README.md's, and names everything the command takes.</summary>
public class UsageTests
{
    private static readonly RootCommand Root = NeuronCli.Root(TextWriter.Null, TextWriter.Null);

    public static TheoryData<string> Commands() => [.. Root.Subcommands.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_usage_is_the_one_the_README_shows(string name)
    {
        Assert.Equal(ReadmeSynopses()[name], Usage.Of(Root.Subcommands.Single(c => c.Name == name)));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_usage_names_every_argument_and_option_in_order_optional_ones_in_brackets(string name)
    {
        var command = Root.Subcommands.Single(c => c.Name == name);
        string usage = Usage.Of(command);

        var words = usage.Split(' ')[2..];
        var arguments = command.Arguments.Select(a => a.Arity.MinimumNumberOfValues == 0 ? $"[{a.Name}]" : a.Name);
        Assert.Equal(arguments, words.Take(command.Arguments.Count));
        foreach (var option in command.Options.Where(o => o.Name is not ("--verbose" or "--stats-requests")))
            Assert.Contains($"{option.Name}", usage);
    }

    [Fact]
    public void The_root_usage_lists_every_command()
    {
        Assert.Equal("neuron layers|show|edit|prune|stats|diff|track|render|act|serve|tensors|formats …", Usage.Of(Root));
    }

    // README's "Commands" block: a synopsis is a line's text up to its description, continued on indented lines.
    private static Dictionary<string, string> ReadmeSynopses()
    {
        var lines = File.ReadAllLines(Path.Combine(Fixtures.Root, "README.md"));
        int start = Array.IndexOf(lines, "## Commands") + 2;
        Assert.Equal("```", lines[start]);
        var synopses = new List<string>();
        foreach (string line in lines[(start + 1)..].TakeWhile(l => l != "```"))
        {
            string synopsis = line.Trim().Split("  ")[0];
            if (line.StartsWith(' ')) synopses[^1] += " " + synopsis;
            else synopses.Add(synopsis);
        }
        return synopses.Where(s => s.Split(' ')[1] is not "--help").ToDictionary(s => s.Split(' ')[1]);
    }
}
