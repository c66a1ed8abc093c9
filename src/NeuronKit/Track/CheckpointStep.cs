using System.Globalization;
using System.Text.RegularExpressions;
using NeuronKit.Formats;

namespace NeuronKit.Track;

/// <summary>
/// The training step a checkpoint was saved at. The file's own word wins: an integer its training dict (a torch
/// checkpoint's top-level integers) or its metadata (safetensors' <c>__metadata__</c>) holds under one of
/// <see cref="MetadataKeys"/>, in that order. Else the name says it: the number after "step"
/// (<c>step_1000.pt</c>, <c>epoch=3-step=1200.ckpt</c>, <c>global_step500</c>), else the last number that stands
/// alone rather than ending a word (<c>checkpoint-1000</c>, <c>ckpt-00500.safetensors</c>, but not <c>fp16</c> or
/// <c>resnet18</c>), looked for in the file's name without its extension and then in its folder's name
/// (<c>checkpoint-1000/model.safetensors</c>); a shard's part number and a rank (DeepSpeed's
/// <c>global_step500/mp_rank_00_model_states.pt</c>) are not steps. Else there is none.
/// </summary>
public static partial class CheckpointStep
{
    /// <summary>The keys a training dict keeps its step under, most specific first (nanoGPT's <c>iter_num</c>; Lightning's
    /// <c>global_step</c>; DeepSpeed's <c>global_steps</c>).</summary>
    public static readonly IReadOnlyList<string> MetadataKeys = ["step", "global_step", "global_steps", "iteration", "iter_num", "epoch"];

    /// <summary>The step of <paramref name="checkpoint"/>, from its metadata or else its path; null when neither says.</summary>
    public static long? Of(Checkpoint checkpoint) => FromMetadata(checkpoint.Metadata) ?? FromName(checkpoint.Path);

    /// <summary>The step a checkpoint's metadata holds (its training dict's integers), or null.</summary>
    public static long? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        foreach (string key in MetadataKeys)
            if (metadata.TryGetValue(key, out string? text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long step))
                return step;
        return null;
    }

    /// <summary>The step the name of <paramref name="path"/> (or of its folder) says, or null.</summary>
    public static long? FromName(string path)
    {
        string stem = WithoutRank(ModelFiles.WithoutPartNumber(Path.GetFileNameWithoutExtension(path)));
        string folder = WithoutRank(Path.GetFileName(Path.GetDirectoryName(path) ?? ""));
        return AfterStep(stem) ?? LastNumber(stem) ?? AfterStep(folder) ?? LastNumber(folder);
    }

    // Which process of a parallel run saved the file (mp_rank_00, zero_pp_rank_3), not when.
    private static string WithoutRank(string name) => Rank().Replace(name, "");

    private static long? AfterStep(string name) => Number(AfterStepWord().Matches(name).LastOrDefault());

    private static long? LastNumber(string name) => Number(StandaloneNumber().Matches(name).LastOrDefault());

    // A number too long for an int64 is not a step anyone saved at.
    private static long? Number(Match? match) =>
        match is not null && long.TryParse(match.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;

    [GeneratedRegex(@"step[_\-=.]?(?<n>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AfterStepWord();

    [GeneratedRegex(@"(?<![A-Za-z])rank[_\-]?\d+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Rank();

    [GeneratedRegex(@"(?<![A-Za-z\d])(?<n>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex StandaloneNumber();
}
