namespace NeuronKit.Activations;

/// <summary>The inputs of a folder: every .npy, .png, .jpg and .jpeg file in it, by name (ordinal), not its subfolders.</summary>
public static class InputFolder
{
    /// <summary>The input files in <paramref name="folder"/>, sorted by name.</summary>
    public static IReadOnlyList<string> Files(string folder)
    {
        if (!Directory.Exists(folder)) throw new RequestException($"--inputs {folder}: no such folder");
        List<string> files;
        try
        {
            files = [.. Directory.EnumerateFiles(folder)
                .Where(f => ImageTensor.IsPicture(f) || Path.GetExtension(f).Equals(".npy", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"--inputs {folder} cannot be read: {e.Message}", inner: e);
        }
        return files.Count > 0 ? files : throw new RequestException($"--inputs {folder}: the folder holds no .npy, .png or .jpg file");
    }
}
