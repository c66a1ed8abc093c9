using System.Globalization;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// Tensors stored beside the model (<c>data_location = EXTERNAL</c>, onnx docs/ExternalData.md): resolves each location
/// inside the model's folder only, maps each side file once, and checks offset and length against it.
/// Refused: absolute paths, <c>..</c>, symbolic links on the way, ONNX Runtime's in-memory marker (security-notes.md §1.3).
/// </summary>
internal sealed class OnnxExternalData(string modelPath) : IDisposable
{
    private const string RuntimeMemoryMarker = "_ORT_MEM_ADDR_"; // ONNX Runtime reads offset as a raw pointer here

    private readonly string _modelName = ByteSources.FileName(modelPath);
    private readonly bool _remote = ByteSources.IsUrl(modelPath);
    private readonly string _folder = ByteSources.IsUrl(modelPath) ? "" : Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
    private readonly Dictionary<string, ByteSource> _files = new(StringComparer.Ordinal);

    /// <summary>The storage of tensor <paramref name="tensor"/> needing <paramref name="bytes"/> bytes, per its external_data entries.</summary>
    public TensorStorage Storage(string tensor, IReadOnlyDictionary<string, string> entries, long bytes)
    {
        if (!entries.TryGetValue("location", out string? location))
            throw Refused(tensor, "its external data has no location");
        long offset = Number(tensor, entries, "offset") ?? 0;
        long length = Number(tensor, entries, "length") ?? bytes;
        var source = Open(tensor, location);
        if (length != bytes)
            throw new CheckpointException($"{_modelName}: tensor '{tensor}' has external length {length:N0}, but its elements take {bytes:N0} bytes");
        if (offset > source.Length || length > source.Length - offset)
            throw new CheckpointException($"{_modelName}: tensor '{tensor}' reads bytes {offset:N0}..{(Int128)offset + length:N0} of " +
                $"{location}, which holds {source.Length:N0} bytes");
        // The model records the file's SHA-1: an edit would make it wrong, so these bytes are read, never written.
        if (entries.ContainsKey("checksum"))
            source = new UnwritableBytes(source, $"its external data file {location} carries a SHA-1 checksum in {_modelName}, " +
                "which NeuronKit does not rewrite; an edit would make it wrong");
        return new TensorStorage($"{location}@{offset}", source, offset, length);
    }

    /// <summary>The side files mapped so far, each once.</summary>
    public IEnumerable<ByteSource> Files => _files.Values;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var file in _files.Values) file.Dispose();
    }

    private ByteSource Open(string tensor, string location)
    {
        if (_files.TryGetValue(location, out var open)) return open;
        string full = Resolve(tensor, location);
        ByteSource source;
        try
        {
            source = !_remote && new FileInfo(full).Length == 0 ? new MemoryBytes([]) : ByteSources.Open(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{_modelName}: external data {location} of tensor '{tensor}' cannot be read: {e.Message}", inner: e);
        }
        _files[location] = source;
        return source;
    }

    // The location as a path under the model's folder, checked component by component: nothing absolute, no "..",
    // no symbolic link (which could point anywhere), and the result must be a file inside the folder. Beside a model
    // opened by URL, the same checked components name a URL under the model's own base URL.
    private string Resolve(string tensor, string location)
    {
        if (location.Length == 0 || location == "." || location.Contains('\0'))
            throw Refused(tensor, $"its external data location '{location}' is not a file name");
        if (location.Contains(RuntimeMemoryMarker))
            throw Refused(tensor, $"its external data location '{location}' is ONNX Runtime's in-memory marker");
        if (Path.IsPathRooted(location) || location[0] is '/' or '\\' || (location.Length > 1 && location[1] == ':'))
            throw Refused(tensor, $"its external data location '{location}' is an absolute path; only files inside the model's folder are read");
        string current = _folder;
        foreach (string component in location.Split('/', '\\'))
        {
            if (component is "" or ".") continue;
            if (component == "..")
                throw Refused(tensor, $"its external data location '{location}' goes up with '..'; only files inside the model's folder are read");
            if (_remote) continue;
            current = Path.Combine(current, component);
            if (new FileInfo(current).LinkTarget is not null)
                throw Refused(tensor, $"its external data location '{location}' passes through a symbolic link ({component}); refused");
        }
        if (_remote) return ByteSources.Sibling(modelPath, location);
        if (!File.Exists(current))
            throw new CheckpointException($"{_modelName}: external data {location} of tensor '{tensor}' does not exist next to the model");
        if (!Path.GetFullPath(current).StartsWith(_folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw Refused(tensor, $"its external data location '{location}' resolves outside the model's folder");
        return current;
    }

    private long? Number(string tensor, IReadOnlyDictionary<string, string> entries, string key)
    {
        if (!entries.TryGetValue(key, out string? text)) return null;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            throw new CheckpointException($"{_modelName}: tensor '{tensor}' has external {key} '{text}', not a whole number of bytes from 0 to {long.MaxValue:N0}");
        return value;
    }

    private CheckpointException Refused(string tensor, string why) => new($"{_modelName}: tensor '{tensor}' is refused: {why}");
}
