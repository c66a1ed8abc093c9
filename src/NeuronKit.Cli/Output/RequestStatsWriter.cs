using System.Globalization;

namespace NeuronKit.Cli.Output;

/// <summary>The line <c>--stats-requests</c> prints on stderr: what a command read over HTTP, against the files' whole size.</summary>
internal static class RequestStatsWriter
{
    public static void Write(TextWriter stderr, long requests, long bytes, long fileBytes) =>
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests: {requests:N0}, bytes: {bytes:N0} (of {fileBytes:N0})"));
}
