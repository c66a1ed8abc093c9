using System.Globalization;
using System.Text.RegularExpressions;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// A model llama.cpp's gguf-split (or convert_hf_to_gguf.py's <c>--split-max-tensors</c>/<c>--split-max-size</c>) wrote
/// as several GGUF files, <c>NAME-00001-of-00003.gguf</c> and on (llama_split_path): each a GGUF of its own, with
/// <c>split.no</c> (from 0), <c>split.count</c> and <c>split.tensors.count</c> (the model's, in every split); the first
/// alone holds the model's metadata, and each tensor is in one split. Opening any split reads the whole model, as
/// opening any shard of a safetensors index does; each split is checked as a GGUF of its own, and together they must
/// hold <c>split.tensors.count</c> tensors, none twice (llama-model-loader.cpp checks the same).
/// </summary>
internal static partial class GgufSplits
{
    private const string Number = "split.no", Count = "split.count", TensorCount = "split.tensors.count";

    /// <summary>How many files the model of a file with <paramref name="metadata"/> is split into; null for a model in one file.</summary>
    public static int? CountOf(IReadOnlyDictionary<string, string> metadata, string fileName) =>
        metadata.TryGetValue(Count, out var text)
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count is > 0 and <= ushort.MaxValue
                ? count > 1 ? count : null
                : throw new CheckpointException($"{fileName} has '{Count}' {text}, not a split count (1 to {ushort.MaxValue})")
            : null;

    /// <summary>The whole model <paramref name="path"/> (one of its <paramref name="count"/> splits) is part of.</summary>
    public static Checkpoint Open(string path, int count, Func<ByteSource, string, GgufHeader> read,
        Func<GgufTensorInfo, ByteSource, long, TensorInfo> view)
    {
        string fileName = ByteSources.FileName(path);
        var name = SplitName().Match(fileName);
        if (!name.Success || int.Parse(name.Groups[3].Value, CultureInfo.InvariantCulture) != count)
            throw new CheckpointException($"{fileName} is one of {count} splits of a model ('{Count}' {count}), but is not named as " +
                $"llama.cpp names them (NAME-00001-of-{count:D5}.gguf), by which the others are found",
                ["give it its split's name again, or merge the splits into one file: llama-gguf-split --merge FIRST.gguf OUT.gguf"]);
        var files = new List<ByteSource>();
        var locations = new List<string>();
        try
        {
            var tensors = new List<TensorInfo>();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            IReadOnlyDictionary<string, string>? metadata = null;
            for (int i = 0; i < count; i++)
            {
                string split = $"{name.Groups[1].Value}-{i + 1:D5}-of-{count:D5}.gguf";
                ByteSource file;
                try
                {
                    locations.Add(ByteSources.Sibling(path, split));
                    file = ByteSources.Open(locations[^1]);
                }
                catch (CheckpointException e)
                {
                    // A split not there is the common case (one not downloaded): said plainly, not as the system's sentence.
                    bool missing = !ByteSources.IsUrl(locations[^1]) && !File.Exists(locations[^1]);
                    throw new CheckpointException($"{fileName} is split {int.Parse(name.Groups[2].Value, CultureInfo.InvariantCulture)} of " +
                        $"{count}, and split {i + 1}, {split}, {(missing ? "is not beside it" : $"cannot be read: {e.Message}")}", inner: e);
                }
                files.Add(file);
                var header = read(file, split);
                if (!header.Metadata.TryGetValue(Number, out var number) || number != i.ToString(CultureInfo.InvariantCulture)
                    || !header.Metadata.TryGetValue(Count, out var splits) || splits != count.ToString(CultureInfo.InvariantCulture))
                    throw new CheckpointException($"{split} is split {i + 1} of {count} by its name, so its '{Number}' should be {i} " +
                        $"(ggml counts splits from 0) and its '{Count}' {count}, but they say {header.Metadata.GetValueOrDefault(Number) ?? "nothing"} " +
                        $"and {header.Metadata.GetValueOrDefault(Count) ?? "nothing"}");
                foreach (var tensor in header.Tensors)
                {
                    if (seen.TryGetValue(tensor.Name, out var other))
                        throw new CheckpointException($"tensor '{tensor.Name}' is in both {other} and {split}; each split holds its own tensors");
                    seen[tensor.Name] = split;
                    tensors.Add(view(tensor, file, header.DataStart));
                }
                metadata ??= header.Metadata;
            }
            if (!metadata!.TryGetValue(TensorCount, out var declared) || declared != tensors.Count.ToString(CultureInfo.InvariantCulture))
                throw new CheckpointException($"the {count} splits of {name.Groups[1].Value} hold {tensors.Count:N0} tensors, but " +
                    $"'{TensorCount}' says {declared ?? "nothing"}: a split is missing tensors or from another model");
            return new Checkpoint(path, "gguf", tensors, [.. files], metadata, files: locations);
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"^(.+)-(\d{5})-of-(\d{5})\.gguf$")]
    private static partial Regex SplitName();
}
