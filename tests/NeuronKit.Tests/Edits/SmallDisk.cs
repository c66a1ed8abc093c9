using System.Diagnostics;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// A folder on a tmpfs of a few KiB, to fill up (or mounted read-only, which even root cannot write): mounted where the
/// tests may mount (root, as in CI); elsewhere
/// <see cref="Mounted"/> is false and the test fails its write another way.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    public SmallDisk(string parent, string size, bool readOnly = false)
    {
        Path = System.IO.Path.Combine(parent, "disk");
        Directory.CreateDirectory(Path);
        Mounted = Run("mount", "-t", "tmpfs", "-o", $"size={size}{(readOnly ? ",ro" : "")}", "tmpfs", Path) == 0;
    }

    public string Path { get; }

    public bool Mounted { get; }

    public void Dispose()
    {
        if (Mounted) Run("umount", Path);
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
