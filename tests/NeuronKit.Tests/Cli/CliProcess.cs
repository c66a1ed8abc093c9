using System.Diagnostics;

namespace NeuronKit.Tests.Cli;

/// <summary>The built tool run as a process, its output and errors pipes: what only a process does (its console writers, its buffering).</summary>
internal static class CliProcess
{
    /// <summary>Runs <c>neuron ARGS</c>, after <paramref name="launcher"/> (a command that runs it, <c>setpriv …</c>) when given.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> Run(string[] args, string[]? launcher = null)
    {
        string[] command = [.. launcher ?? [], "dotnet", Path.Combine(AppContext.BaseDirectory, "neuron.dll"), .. args];
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, stderr);
    }
}
