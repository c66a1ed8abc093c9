namespace NeuronKit.Edits;

/// <summary>A file's length and last write time, to tell whether someone else changed it while an edit was planned.</summary>
internal sealed record FileSnapshot(string Path, long Length, DateTime LastWriteUtc)
{
    public static FileSnapshot Of(string path)
    {
        var info = new FileInfo(path);
        return new FileSnapshot(path, info.Length, info.LastWriteTimeUtc);
    }

    /// <summary>Throws <see cref="CheckpointException"/> when the file is no longer as it was when the edit was planned.</summary>
    public void CheckUnchanged()
    {
        var now = Of(Path);
        if (now != this)
            throw new CheckpointException($"{System.IO.Path.GetFileName(Path)} changed while the edit was being made " +
                $"({Length:N0} bytes, written {LastWriteUtc:O}; now {now.Length:N0} bytes, written {now.LastWriteUtc:O}); " +
                "nothing was written: run the edit again");
    }
}
