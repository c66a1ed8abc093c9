using System.CommandLine;
using NeuronKit.Cli.Commands;
using NeuronKit.Cli.Output;

namespace NeuronKit.Cli;

/// <summary>The <c>neuron</c> command: its subcommands, and the exit-code contract around them.</summary>
public static class NeuronCli
{
    /// <summary>Runs the command line <paramref name="args"/>, printing to the given writers; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("neuron: the weights and biases of neuron j of layer L of a checkpoint, read lazily and safely.")
        {
            LayersCommand.Create(stdout, stderr),
            ShowCommand.Create(stdout, stderr),
            StatsCommand.Create(stdout, stderr),
            TensorsCommand.Create(stdout, stderr),
            FormatsCommand.Create(stdout),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            // A wrong command line is a wrong request: exit 2, one error line, hints to help.
            string command = parse.CommandResult.Command == root ? "neuron" : $"neuron {parse.CommandResult.Command.Name}";
            ErrorWriter.Write(stderr, parse.Errors[0].Message,
                [.. parse.Errors.Skip(1).Select(e => e.Message), $"see '{command} --help'"]);
            return 2;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
