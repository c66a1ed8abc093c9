using NeuronKit.Remote;
using NeuronKit.Cli.Output;

namespace NeuronKit.Cli.Commands;

/// <summary>Runs a command's work under the error contract: NeuronKit errors → their exit code, anything else → 1.</summary>
internal static class CommandRunner
{
    public static int Run(TextWriter stderr, bool verbose, Action work) => Run(stderr, verbose, false, work);

    /// <summary>
    /// Runs <paramref name="work"/>; with <paramref name="statsRequests"/> (<c>--stats-requests</c>), or with
    /// <paramref name="verbose"/> when anything was read over HTTP, then says on stderr what it cost.
    /// </summary>
    public static int Run(TextWriter stderr, bool verbose, bool statsRequests, Action work) =>
        RunAsync(stderr, verbose, statsRequests, () =>
        {
            work();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    public static Task<int> RunAsync(TextWriter stderr, bool verbose, Func<Task> work) => RunAsync(stderr, verbose, false, work);

    public static async Task<int> RunAsync(TextWriter stderr, bool verbose, bool statsRequests, Func<Task> work)
    {
        var traffic = RemoteTraffic.Process;
        (long requests, long bytes, long files) = (traffic.Requests, traffic.Bytes, traffic.FileBytes);
        try
        {
            return await Work(stderr, verbose, work);
        }
        finally
        {
            if (statsRequests || (verbose && traffic.Requests > requests))
                RequestStatsWriter.Write(stderr, traffic.Requests - requests, traffic.Bytes - bytes, traffic.FileBytes - files);
        }
    }

    private static async Task<int> Work(TextWriter stderr, bool verbose, Func<Task> work)
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
