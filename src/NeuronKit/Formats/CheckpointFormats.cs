using NeuronKit.Tensors;

namespace NeuronKit.Formats;

/// <summary>The one list of supported formats, and opening a file by what its bytes say it is.</summary>
public static class CheckpointFormats
{
    /// <summary>Every reader, in detection order; a new format is one new line here.</summary>
    public static readonly IReadOnlyList<ICheckpointReader> All =
    [
        new PyTorch.PyTorchReader(),
        new Safetensors.SafetensorsReader(),
        new NumPy.NumPyReader(),
        new Gguf.GgufReader(),
        new Keras.KerasReader(),
        new Onnx.OnnxReader(),
        new Flax.FlaxReader(),
        new TorchSharp.TorchSharpReader(),  // no magic number: last, and it claims a file only after parsing it whole
    ];

    private const int HeadSize = 30 + ushort.MaxValue; // a zip's first local header with its whole name: torch zip vs npz

    /// <summary>
    /// Opens <paramref name="path"/> (a local path, or an http(s) URL read by range requests) with the reader whose
    /// <see cref="ICheckpointReader.Detect"/> accepts its first bytes; a local folder opens as the checkpoint it holds
    /// (<see cref="ModelFolder"/>).
    /// </summary>
    public static Checkpoint Open(string path)
    {
        if (ByteSources.IsUrl(path))
        {
            // The head's session stays open while the reader opens the URL again, so the reader joins it: no second first request.
            using var remote = ByteSources.Open(path);
            var remoteHead = remote.Span(0, (int)Math.Min(remote.Length, HeadSize)).ToArray();
            return Open(path, ByteSources.FileName(path), remoteHead, remoteHead.Length);
        }
        if (Directory.Exists(path)) path = ModelFolder.Find(path);
        string name = Path.GetFileName(path);
        var file = new FileInfo(path);
        if (!file.Exists) throw Missing(path);
        // A size of 0 is checked before opening: a named pipe (a FIFO) would block the open until something writes to it,
        // and it, like a device, reports no size.
        if (file.Length == 0)
            throw new CheckpointException($"{name} is empty (0 bytes)", ["a named pipe or a device is not read; give a file"]);
        byte[] head = new byte[HeadSize];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            read = stream.ReadAtLeast(head, HeadSize, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path} cannot be read: {e.Message}", inner: e);
        }
        if (read == 0)
            throw new CheckpointException($"{name} is empty (0 bytes)");
        return Open(path, name, head, read);
    }

    // A file the system does not show is missing, or behind a folder that cannot be opened: opening it says which.
    private static NeuronKitException Missing(string path)
    {
        try
        {
            File.OpenHandle(path).Dispose();
        }
        catch (UnauthorizedAccessException e)
        {
            return new CheckpointException($"{path} cannot be read: {e.Message}", inner: e);
        }
        catch (IOException)
        {
        }
        // A URL of a scheme other than http(s) (file://, s3://): read as a path, it names no file.
        if (path.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(path, UriKind.Absolute, out var url))
            return new RequestException($"{path} is a {url.Scheme}: URL; NeuronKit reads files by path and http(s):// URLs",
                url.IsFile ? [$"give its path: {url.LocalPath}"] : []);
        return new CheckpointException($"{path} does not exist");
    }

    private static Checkpoint Open(string path, string name, byte[] head, int read)
    {
        if (UnreadFormats.Refusal(name, head.AsSpan(0, read)) is { } refusal) throw refusal;
        foreach (var reader in All)
            if (reader.Detect(head.AsSpan(0, read)) && reader.Confirm(path))
                return reader.Open(path);
        throw new CheckpointException($"{name} is not a checkpoint NeuronKit can read " +
            $"(it starts with {Convert.ToHexString(head, 0, Math.Min(read, 8))})",
            [$"supported formats: {string.Join(", ", All.Select(r => r.Name))}"]);
    }
}
