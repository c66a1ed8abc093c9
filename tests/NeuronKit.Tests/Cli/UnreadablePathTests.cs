using System.Diagnostics;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Cli;

/// <summary>
/// Paths the system will not let the tool read (a folder without permission, a named pipe) are the file's trouble:
/// exit 3 and one line saying which and why, never an internal error (exit 1) or a wait for a writer that never comes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UnreadablePathTests
{
    [Theory]
    [InlineData("000", "d", "d cannot be read: Access to the path")]            // a folder that cannot be opened
    [InlineData("333", "d", "d cannot be read: Access to the path")]            // opened, but not listed
    [InlineData("000", "d/model.pt", "d/model.pt cannot be read: Access to the path")] // a file behind such a folder: not "does not exist"
    public async Task A_folder_without_permission_is_exit_3_saying_so(string mode, string target, string message)
    {
        // Given a model in a folder whose permissions keep its owner out
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "d");
        Directory.CreateDirectory(folder);
        File.Copy(Fixtures.PyTorch("seed_linear.pt"), Path.Combine(folder, "model.pt"));
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32(mode, 8));
        try
        {
            // When the tool, without root's power to read anything, is asked for its layers
            var (exit, stderr) = await RunWithoutFileOverrides(["layers", Path.Combine(temp.Path, target)]);

            // Then it says the path cannot be read, as the file's trouble
            Assert.Equal(3, exit);
            Assert.Contains(message, stderr);
            Assert.DoesNotContain("internal error", stderr);
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task A_named_pipe_is_refused_without_waiting_for_a_writer()
    {
        using var temp = new TempFolder();
        string fifo = Path.Combine(temp.Path, "model.pt");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();

        var run = Task.Run(() => CliRun.Of("layers", fifo));

        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))));
        var result = await run;
        Assert.Equal(3, result.Exit);
        Assert.Contains("model.pt is empty (0 bytes)", result.Stderr);
        Assert.Contains("a named pipe or a device is not read", result.Stderr);
    }

    // The built tool as a process; as root, without the capabilities that let root read past permissions (setpriv drops
    // them from its bounding set), so that a folder's mode keeps it out as it keeps out anyone else.
    private static async Task<(int Exit, string Stderr)> RunWithoutFileOverrides(string[] args)
    {
        var (exit, _, stderr) = await CliProcess.Run(args, Environment.IsPrivilegedProcess ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] : null);
        return (exit, stderr);
    }
}
