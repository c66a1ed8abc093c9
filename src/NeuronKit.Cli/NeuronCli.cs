using System.CommandLine;
using System.CommandLine.Help;
using NeuronKit.Cli.Commands;
using NeuronKit.Cli.Output;

namespace NeuronKit.Cli;

/// <summary>The <c>neuron</c> command: its subcommands, and the exit-code contract around them.</summary>
public static class NeuronCli
{
    /// <summary>Runs the command line <paramref name="args"/>, printing to the given writers; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Root(stdout, stderr);
        // @FILE is neuron track's list of checkpoints (one path per line, spaces and all), not System.CommandLine's
        // response file of tokens; no other command takes a word starting with @ other than as a path.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is HelpAction && parse.CommandResult.Command == root)
        {
            RootHelpWriter.Write(stdout, root);
            return 0;
        }
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            // A wrong command line is a wrong request: exit 2, one error line naming each problem once, then how to ask.
            var command = parse.CommandResult.Command;
            string name = command == root ? "neuron" : $"neuron {command.Name}";
            ErrorWriter.Write(stderr, string.Join("; ", CommandLineErrors.Of(parse)),
                [$"usage: {Usage.Of(command)}", $"see '{name} --help'"]);
            return 2;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>The <c>neuron</c> command and its subcommands, printing to the given writers.</summary>
    internal static RootCommand Root(TextWriter stdout, TextWriter stderr) =>
        new("neuron: the weights and biases of neuron j of layer L of a checkpoint, read lazily and safely.")
        {
            LayersCommand.Create(stdout, stderr),
            ShowCommand.Create(stdout, stderr),
            EditCommand.Create(stdout, stderr),
            PruneCommand.Create(stdout, stderr),
            StatsCommand.Create(stdout, stderr),
            DiffCommand.Create(stdout, stderr),
            TrackCommand.Create(stdout, stderr),
            RenderCommand.Create(stderr),
            ActCommand.Create(stdout, stderr),
            ServeCommand.Create(stdout, stderr),
            TensorsCommand.Create(stdout, stderr),
            FormatsCommand.Create(stdout),
        };
}
