namespace NeuronKit;

/// <summary>
/// A file's length, last write time and identity (device and inode, where the system tells them), to tell whether
/// someone else changed it since: rewrote it in place (torch.save, safetensors' save_file) or renamed another file over
/// it (an edit with --in-place). A stat or two, never its contents: cheap enough to take on every request.
/// </summary>
internal sealed record FileSnapshot(string Path, long Length, DateTime LastWriteUtc, (ulong Device, ulong Inode)? Identity)
{
    /// <summary>The file at <paramref name="path"/> as it is now; a missing file throws <see cref="FileNotFoundException"/>.</summary>
    public static FileSnapshot Of(string path)
    {
        var info = new FileInfo(path);
        return new FileSnapshot(path, info.Length, info.LastWriteTimeUtc, FileKind.Identity(path));
    }

    /// <summary>True when the file at <see cref="Path"/> is no longer as it was (gone or unreadable counts as changed).</summary>
    public bool Changed()
    {
        try
        {
            return Of(Path) != this;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Throws <see cref="CheckpointException"/> when the file is no longer as it was when the edit was planned.</summary>
    public void CheckUnchanged()
    {
        var now = Of(Path);
        if (now != this)
            throw new CheckpointException($"{System.IO.Path.GetFileName(Path)} changed while the edit was being made " +
                (now.Identity != Identity ? "(another file was put in its place)" :
                $"({Length:N0} bytes, written {LastWriteUtc:O}; now {now.Length:N0} bytes, written {now.LastWriteUtc:O})") +
                "; nothing was written: run the edit again");
    }
}
