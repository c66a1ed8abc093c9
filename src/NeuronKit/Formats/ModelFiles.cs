using System.Text.RegularExpressions;

namespace NeuronKit.Formats;

/// <summary>
/// Which paths may be files of one model saved as several: transformers' shards (<c>NAME-00001-of-00003.safetensors</c>,
/// <c>.bin</c> or Flax's <c>.msgpack</c>) and their index (<c>NAME.safetensors.index.json</c>, <c>NAME.bin.index.json</c>,
/// <c>NAME.msgpack.index.json</c>), llama.cpp's splits
/// (<c>NAME-00001-of-00003.gguf</c>). Opening
/// any of them reads the whole model, so a run measures it once and a folder holding them holds one model. Names alone
/// say which files may belong together, so every process of a sharded run groups them alike, opening nothing.
/// </summary>
public static partial class ModelFiles
{
    /// <summary>
    /// What the model <paramref name="path"/> may be a file of is known by: <c>FOLDER/NAME.safetensors</c> (or
    /// <c>.bin</c>, <c>.msgpack</c>) for its shards and its index, <c>FOLDER/NAME.gguf</c> for its splits; any other path is a model of its
    /// own, known by itself.
    /// </summary>
    public static string GroupOf(string path)
    {
        var part = PartPath().Match(path);
        if (part.Success) return part.Groups["model"].Value + "." + part.Groups["format"].Value;
        var index = IndexPath().Match(path);
        return index.Success ? index.Groups["model"].Value + "." + index.Groups["format"].Value : path;
    }

    /// <summary>True when <paramref name="path"/> is a sharded model's index, which opens the whole model (a shard may not).</summary>
    public static bool IsIndex(string path) => IndexPath().IsMatch(path);

    /// <summary>A file name without its extension, less the part number of a shard or split (<c>ckpt-500</c> of <c>ckpt-500-00001-of-00002</c>).</summary>
    public static string WithoutPartNumber(string stem) => PartNumber().Replace(stem, "");

    [GeneratedRegex(@"^(?<model>.+)-\d{5}-of-\d{5}\.(?<format>safetensors|bin|msgpack|gguf)$", RegexOptions.CultureInvariant)]
    private static partial Regex PartPath();

    [GeneratedRegex(@"^(?<model>.+)\.(?<format>safetensors|bin|msgpack)\.index\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex IndexPath();

    [GeneratedRegex(@"-\d{5}-of-\d{5}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartNumber();
}
