namespace NeuronKit.Tests.Cli;

/// <summary>
/// <c>neuron</c> as a process with its output redirected (a pipe, as in <c>neuron stats … --csv | …</c>): buffered, and
/// all of it there when the process ends, as the in-process run prints it.
/// </summary>
public sealed class RedirectedOutputTests
{
    [Theory]
    [InlineData("stats", "--csv")]
    [InlineData("show", "--json")]
    public async Task A_redirected_output_holds_everything_the_command_printed(string command, string format)
    {
        // Given a command whose output is larger than one buffer of the console stream
        string[] args = command == "stats"
            ? [command, Fixtures.Path("diff/cross/llama_f32.gguf"), format] // 120 KB: two buffers and a last part
            : [command, Fixtures.PyTorch("seed_lstm.pt"), "rnn", "2", format];
        var inProcess = CliRun.Of(args);
        Assert.True(inProcess.Exit == 0, inProcess.Stderr);

        // When the built tool runs it as a process, its standard output a pipe
        var (exit, stdout, stderr) = await CliProcess.Run(args);

        // Then it printed exactly what the in-process run printed
        Assert.True(exit == 0, stderr);
        Assert.Equal(inProcess.Stdout, stdout);
    }
}
