using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Remote;

/// <summary>Two runs of the CLI printed the same, compared whole; a failure shows the exit codes and stderr, not megabytes of JSON.</summary>
internal static class SameRun
{
    public static void Assert(CliRun expected, CliRun actual)
    {
        Xunit.Assert.True(expected.Exit == actual.Exit && expected.Stderr == actual.Stderr,
            $"expected exit {expected.Exit} ({expected.Stderr.Trim()}), got {actual.Exit} ({actual.Stderr.Trim()})");
        Xunit.Assert.True(expected.Stdout == actual.Stdout, $"stdout differs:\n{Head(expected.Stdout)}\nvs\n{Head(actual.Stdout)}");
    }

    private static string Head(string text) => text.Length > 400 ? text[..400] + "…" : text;
}
