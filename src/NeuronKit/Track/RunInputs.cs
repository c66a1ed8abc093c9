using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Track;

/// <summary>
/// The checkpoint paths a run names: each input is a path, a glob the tool expands itself (<c>'run/*.pt'</c>,
/// <c>'runs/**/step_*.safetensors'</c>: <c>*</c> within a name, <c>**</c> across folders; folders it matches that hold
/// a checkpoint, <c>'run/checkpoint-*'</c>, as the file they hold, see <see cref="ModelFolder"/>), or <c>@FILE</c>, a list
/// with one path per line (blank lines and lines starting with <c>#</c> skipped; relative paths are relative to the
/// working directory, as for paths on the command line). A path named twice is taken once.
/// </summary>
public static class RunInputs
{
    /// <summary>Every path <paramref name="inputs"/> name, in the order given (a glob's matches sorted as text).</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in inputs)
            foreach (string path in Paths(input))
                if (seen.Add(path)) paths.Add(path);
        if (paths.Count == 0) throw new RequestException("no checkpoints to track", ["name them as paths, a quoted glob ('run/*.pt') or @list.txt"]);
        return paths;
    }

    private static IEnumerable<string> Paths(string input)
    {
        try
        {
            if (input.StartsWith('@')) return ListFile(input[1..]);
            if (input.Contains('*') && !ByteSources.IsUrl(input)) return Glob(input); // a URL's folder cannot be listed
            return [Directory.Exists(input) ? Model(input) : input];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder of the pattern, or the list file, that cannot be read (no permission): the input's trouble, not a bug.
            throw new CheckpointException($"{input} cannot be read: {e.Message}", inner: e);
        }
    }

    // A folder stands for the one model it holds, as its file, so a file named beside it is not taken twice; a folder that
    // holds none or several stays as named, for opening it to say so.
    private static string Model(string folder) => ModelFolder.Models(folder) is [var one] ? one : folder;

    private static List<string> ListFile(string list)
    {
        if (!File.Exists(list)) throw new RequestException($"no list file '{list}' (@{list} names a file with one checkpoint path per line)");
        var paths = File.ReadLines(list).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (paths.Count == 0) throw new RequestException($"list file '{list}' names no checkpoints");
        return paths;
    }

    // The folders before the first wildcard are the root the pattern is matched under; matches keep that prefix as written.
    private static List<string> Glob(string pattern)
    {
        string[] parts = pattern.Replace('\\', '/').Split('/');
        int wild = Array.FindIndex(parts, p => p.Contains('*'));
        string root = wild == 0 ? "" : string.Join('/', parts[..wild]) + "/";
        var folder = new DirectoryInfo(root.Length == 0 ? "." : root);
        if (!folder.Exists) throw new RequestException($"no folder '{root}' for the pattern '{pattern}'");
        string rest = string.Join('/', parts[wild..]);
        // What is saved beside the weights is passed over: 'run/checkpoint-*/*' matches a Trainer's optimizer.pt,
        // rng_state.pth, trainer_state.json and config.json too.
        var files = Match(folder, rest).Where(f => !ModelFolder.IsBesideTheWeights(Path.GetFileName(f))).Select(f => root + f);
        // Folders match as the shell matches them (run/checkpoint-*): those that hold a checkpoint, as the file they hold.
        var folders = Match(folder, rest + "/*").Select(f => root + Path.GetDirectoryName(f)!.Replace('\\', '/')).Distinct(StringComparer.Ordinal)
            .Select(f => (Folder: f, Models: ModelFolder.Models(f))).Where(f => f.Models.Count > 0)
            .Select(f => f.Models is [var one] ? one : f.Folder);
        var found = files.Concat(folders).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (found.Count == 0) throw new RequestException($"no checkpoint file or folder matches '{pattern}'");
        return found;
    }

    private static IEnumerable<string> Match(DirectoryInfo folder, string pattern)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(pattern);
        return matcher.Execute(new DirectoryInfoWrapper(folder)).Files.Select(f => f.Path);
    }
}
