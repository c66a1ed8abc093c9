namespace NeuronKit.Cli.Output;

/// <summary>
/// An output file written under a temporary name beside it and renamed over it only when complete: a failed or
/// interrupted run leaves no half-written file, and a reader never sees one.
/// </summary>
internal static class ReplacedFile
{
    public static async Task WriteAsync(string path, Func<Stream, Task> write)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new CheckpointException($"{path} cannot be written: its folder {folder} does not exist");
        if (Directory.Exists(full)) throw new CheckpointException($"{path} cannot be written: it is a folder");
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.neuronkit-tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: false))
                await write(stream);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path} cannot be written: {e.Message}");
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
