using NeuronKit.Cli;

namespace NeuronKit.Tests.Cli;

/// <summary>The <c>neuron</c> command run in-process, with what it printed and its exit code.</summary>
internal sealed record CliRun(int Exit, string Stdout, string Stderr)
{
    public static CliRun Of(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = NeuronCli.Run(args, stdout, stderr);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }
}
