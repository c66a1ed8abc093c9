using System.Diagnostics;
using System.Runtime.InteropServices;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Web;

/// <summary>
/// <c>neuron serve</c> as a process: it prints where it serves, answers there, and stops cleanly (exit 0) on Ctrl+C;
/// its wrong command lines are refused like every command's.
/// </summary>
public class ServeCommandTests
{
    [Fact]
    public async Task It_prints_its_address_answers_there_and_stops_cleanly_on_ctrl_c()
    {
        // A shell without job control starts `cmd &` with SIGINT ignored, and the child inherits that: the server could
        // not hear Ctrl+C, whatever it does. Say so rather than time out.
        Assert.False(SigIntIgnored(), "SIGINT is ignored in the test process (started in the background by a shell without job " +
            "control, e.g. `(bash .ci/run &)`), so the server it starts cannot receive Ctrl+C; run the tests in the foreground");
        string neuron = Path.Combine(AppContext.BaseDirectory, "neuron.dll");
        var start = new ProcessStartInfo("dotnet", [neuron, "serve", Fixtures.PyTorch("seed_conv.pt")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Matches(@"^NeuronKit serving on http://127\.0\.0\.1:\d+/$", line);
            using var client = new HttpClient { BaseAddress = new Uri(line!["NeuronKit serving on ".Length..]) };
            Assert.Equal(CliRun.Of("layers", Fixtures.PyTorch("seed_conv.pt"), "--json").Stdout, await client.GetStringAsync("/api/layers?file=0"));

            Assert.Equal(0, kill(process.Id, SigInt));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(0, process.ExitCode);
            Assert.Equal("", await process.StandardError.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    [Theory]
    [InlineData("--port", "70000", "--port 70000 is not a port")]
    [InlineData("--host", "example.org", "--host example.org is not an IP address")]
    public void A_wrong_port_or_host_exits_2_with_the_reason(string option, string value, string message)
    {
        var run = CliRun.Of("serve", Fixtures.PyTorch("seed_conv.pt"), option, value);

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public void A_file_that_does_not_exist_exits_3_before_listening()
    {
        var run = CliRun.Of("serve", Fixtures.PyTorch("no_such_file.pt"));

        Assert.Equal(3, run.Exit);
        Assert.Contains("no_such_file.pt does not exist", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    private const int SigInt = 2;

    // /proc/self/status lists the ignored signals as a hexadecimal mask, bit n - 1 for signal n.
    private static bool SigIntIgnored() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
