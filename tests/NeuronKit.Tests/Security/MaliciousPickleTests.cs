using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Security;

/// <summary>Pickles whose loading would run a shell command are refused, and the command is not run.</summary>
public class MaliciousPickleTests
{
    // make_fixtures.py builds each payload to create this file when unpickled by Python.
    private const string Sentinel = "/tmp/neuronkit-pickle-was-run";

    [Theory]
    [InlineData("evil_system.pt", "system")]
    [InlineData("evil_eval.pt", "eval")]
    [InlineData("evil_legacy.pt", "system")]
    public void A_pickle_that_would_run_code_is_refused_and_nothing_runs(string file, string callee)
    {
        // Given no sentinel
        File.Delete(Sentinel);

        // When every command is run on the file
        var runs = new[]
        {
            CliRun.Of("layers", Fixtures.Path($"pytorch/{file}")),
            CliRun.Of("tensors", Fixtures.Path($"pytorch/{file}")),
            CliRun.Of("show", Fixtures.Path($"pytorch/{file}"), "x", "0"),
        };

        // Then each refuses it, naming what it would have called, and the payload never ran
        foreach (var run in runs)
        {
            Assert.Equal(3, run.Exit);
            Assert.Contains(callee, run.Stderr);
            Assert.Contains("refused", run.Stderr);
        }
        Assert.False(File.Exists(Sentinel), $"{Sentinel} exists: the payload ran");
    }
}
