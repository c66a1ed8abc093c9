using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using NeuronKit.Tensors;

namespace NeuronKit.Track;

/// <summary>
/// The checkpoint paths a run names: each input is a path, a glob the tool expands itself (<c>'run/*.pt'</c>,
/// <c>'runs/**/step_*.safetensors'</c>: <c>*</c> within a name, <c>**</c> across folders), or <c>@FILE</c>, a list
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
        if (input.StartsWith('@')) return ListFile(input[1..]);
        if (input.Contains('*') && !ByteSources.IsUrl(input)) return Glob(input); // a URL's folder cannot be listed
        return [input];
    }

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
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(string.Join('/', parts[wild..]));
        var found = matcher.Execute(new DirectoryInfoWrapper(folder)).Files
            .Select(f => root + f.Path)
            .Order(StringComparer.Ordinal).ToList();
        if (found.Count == 0) throw new RequestException($"no file matches '{pattern}'");
        return found;
    }
}
