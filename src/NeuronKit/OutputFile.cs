namespace NeuronKit;

/// <summary>
/// A file NeuronKit writes (a picture, a neuron's arrays, a track's Parquet part): written under a temporary name beside
/// it and renamed over it only when complete, so a failed or interrupted run leaves no half-written file and a reader
/// never sees one. A folder that does not exist, or cannot be written, is a <see cref="CheckpointException"/>. A symbolic
/// link is followed (its file is replaced, the link stays); a device, a named pipe or a socket is refused.
/// </summary>
public static class OutputFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>.</summary>
    public static void Write(string path, Action<Stream> write) =>
        WriteAsync(path, stream =>
        {
            write(stream);
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, which may wait.</summary>
    public static async Task WriteAsync(string path, Func<Stream, Task> write)
    {
        string full = Target(path);
        string temporary = TemporaryBeside(full);
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

    /// <summary>
    /// The file to write for <paramref name="path"/>, made full: where it is a symbolic link, the file the link leads to.
    /// Throws <see cref="RequestException"/> for an empty name or a device, named pipe or socket (<c>-o /dev/null</c>),
    /// <see cref="CheckpointException"/> for a folder, or a path whose folder does not exist.
    /// </summary>
    public static string Target(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw EmptyName();
        string full = Path.GetFullPath(path);
        try
        {
            if (new FileInfo(full) is { LinkTarget: not null } link && link.ResolveLinkTarget(returnFinalTarget: true) is { } target) full = target.FullName;
        }
        catch (IOException e)
        {
            throw new CheckpointException($"{path} cannot be written: {e.Message}");
        }
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new CheckpointException($"{path} cannot be written: its folder {folder} does not exist");
        if (Directory.Exists(full)) throw new CheckpointException($"{path} cannot be written: it is a folder");
        if (FileKind.IsSpecial(full))
            throw new RequestException($"{path} is not a regular file but a device, a named pipe or a socket: NeuronKit writes a whole file " +
                "and renames it into place, which would replace it", ["write to a file"]);
        return full;
    }

    /// <summary>
    /// Throws <see cref="RequestException"/> when <paramref name="path"/> is one of the files <paramref name="reading"/>
    /// (the model a command reads, through any symbolic link): written over, it would be gone, replaced by the output.
    /// </summary>
    public static void EnsureNotRead(string path, IEnumerable<string> reading)
    {
        if (string.IsNullOrWhiteSpace(path)) throw EmptyName();
        string output = Resolved(path);
        if (reading.Where(f => !Tensors.ByteSources.IsUrl(f)).FirstOrDefault(f => Resolved(f) == output) is { } source)
            throw new RequestException($"{path} is the file being read{(Path.GetFileName(source) == Path.GetFileName(path) ? "" : $" ({Path.GetFileName(source)})")}: " +
                "writing there would replace it", ["name another output file"]);
    }

    private static RequestException EmptyName() => new("the output file's name is empty", ["name the file to write"]);

    /// <summary>The full path of the file <paramref name="path"/> names, symbolic links followed.</summary>
    internal static string Resolved(string path)
    {
        string full = Path.GetFullPath(path);
        return File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : full;
    }

    /// <summary>
    /// A new name beside <paramref name="full"/> (an absolute path) for the file being written: hidden, unique, and
    /// ending <c>.neuronkit-tmp</c> so that a leftover says what made it; the file's own name is shortened to keep it
    /// within the 255 bytes a name may take.
    /// </summary>
    public static string TemporaryBeside(string full)
    {
        const int MaxName = 255, Added = 1 + 1 + 32 + 14; // ".", ".", the GUID, ".neuronkit-tmp"
        string name = Path.GetFileName(full);
        while (System.Text.Encoding.UTF8.GetByteCount(name) > MaxName - Added)
            name = name[..(char.IsLowSurrogate(name[^1]) ? name.Length - 2 : name.Length - 1)];
        return Path.Combine(Path.GetDirectoryName(full)!, $".{name}.{Guid.NewGuid():N}.neuronkit-tmp");
    }
}
