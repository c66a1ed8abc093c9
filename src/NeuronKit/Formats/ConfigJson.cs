using System.Text.Json;
using System.Text.Unicode;
using NeuronKit.Tensors;

namespace NeuronKit.Formats;

/// <summary>
/// A small JSON file beside a checkpoint that says how to read it (config.json, quantize_config.json), read as untrusted
/// as the checkpoint is: at most a few megabytes, valid UTF-8 checked before any string is read (System.Text.Json checks
/// it only then, and throws what is not a JSON error), bounded nesting.
/// </summary>
public static class ConfigJson
{
    private const int Limit = 4 << 20;

    /// <summary>
    /// The JSON at <paramref name="location"/> (a path or URL); throws <see cref="CheckpointException"/> when it is
    /// missing, too large, or not JSON, naming it as <paramref name="name"/> (its file name by default).
    /// </summary>
    public static JsonDocument Read(string location, string? name = null)
    {
        byte[] bytes = ByteSources.ReadSmall(location, Limit, "config");
        name ??= ByteSources.FileName(location);
        if (!Utf8.IsValid(bytes)) throw new CheckpointException($"{name} is not valid UTF-8");
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{name} is not JSON: {JsonErrorText.Of(e)}", inner: e);
        }
    }

    /// <summary>
    /// The JSON file <paramref name="fileName"/> beside the checkpoint at <paramref name="path"/>, or null when there is
    /// none or it cannot be read: for a config that only says how to read the checkpoint, whose absence means the default.
    /// </summary>
    public static JsonDocument? Beside(string path, string fileName)
    {
        try
        {
            return Read(ByteSources.Sibling(path, fileName));
        }
        catch (NeuronKitException)
        {
            return null;
        }
    }
}
