using NeuronKit.Cli.Output;

namespace NeuronKit.Cli.Commands;

/// <summary>Runs a command's work under the error contract: NeuronKit errors → their exit code, anything else → 1.</summary>
internal static class CommandRunner
{
    public static int Run(TextWriter stderr, bool verbose, Action work) =>
        RunAsync(stderr, verbose, () =>
        {
            work();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(TextWriter stderr, bool verbose, Func<Task> work)
    {
        try
        {
            await work();
            return 0;
        }
        catch (NeuronKitException e)
        {
            ErrorWriter.Write(stderr, e.Message, e.Hints);
            if (verbose) stderr.WriteLine(e);
            return e.ExitCode;
        }
        catch (Exception e) when (!verbose)
        {
            ErrorWriter.Write(stderr, $"internal error: {e.GetType().Name}: {e.Message}",
                ["this is a bug in NeuronKit; rerun with --verbose for the stack trace and report it"]);
            return 1;
        }
    }
}
