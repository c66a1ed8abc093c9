namespace NeuronKit.Web;

/// <summary>
/// The files <c>neuron serve</c> was given, and the one lookup a request gets: by index or by file name. A request
/// never names a path, so <c>../</c>, absolute paths and symlinks lead nowhere: they are not in the list.
/// </summary>
public sealed class ServedFiles : IDisposable
{
    private readonly List<ServedFile> _files = [];

    /// <summary>
    /// The files at <paramref name="paths"/> (a folder as the model it holds), each of which must exist; files that share a
    /// file name are named with their folder's (<c>checkpoint-500/model.safetensors</c>), or, where that is shared too, told
    /// apart by index only. With <paramref name="loraBase"/>, each LoRA adapter among them is served merged
    /// into that base model (<c>neuron serve checkpoint-* --base BASE</c>).
    /// </summary>
    public ServedFiles(IEnumerable<string> paths, string? loraBase = null)
    {
        if (loraBase is not null && !Tensors.ByteSources.IsUrl(loraBase) && !File.Exists(loraBase) && !Directory.Exists(loraBase))
            throw new CheckpointException($"{loraBase} does not exist");
        var resolved = new List<string>();
        foreach (string given in paths)
        {
            bool url = Tensors.ByteSources.IsUrl(given);
            string path = !url && Directory.Exists(given) ? Formats.ModelFolder.Find(given) : given; // a folder serves the model it holds
            if (!url && !File.Exists(path)) throw new CheckpointException($"{path} does not exist");
            resolved.Add(path);
        }
        if (resolved.Count == 0) throw new RequestException("serve needs at least one file");
        var names = Names(resolved);
        for (int i = 0; i < resolved.Count; i++) _files.Add(new ServedFile(i, names[i], resolved[i], loraBase));
    }

    // Each file's name: its file name, or, where several share one (every Trainer checkpoint's model.safetensors, every
    // PEFT adapter's adapter_model.safetensors), its folder's name before it, when that tells them apart.
    private static string[] Names(IReadOnlyList<string> paths)
    {
        var names = paths.Select(Tensors.ByteSources.FileName).ToArray();
        foreach (var shared in names.Select((name, i) => (name, i)).GroupBy(n => n.name).Where(g => g.Count() > 1))
        {
            var qualified = shared.Select(n => (n.i, Name: Tensors.ByteSources.IsUrl(paths[n.i]) ? n.name
                : $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(paths[n.i])))}/{n.name}")).ToList();
            if (qualified.Select(q => q.Name).Distinct().Count() == qualified.Count)
                foreach (var (i, name) in qualified) names[i] = name;
        }
        return names;
    }

    /// <summary>Every file, in command-line order.</summary>
    public IReadOnlyList<ServedFile> All => _files;

    /// <summary>
    /// The file a request's <c>file</c> parameter names: its index, or its file name when no other file has it.
    /// Anything else is a <see cref="RequestException"/> that lists what may be asked for.
    /// </summary>
    public ServedFile Find(string? file)
    {
        if (string.IsNullOrEmpty(file)) throw new RequestException("the request names no file: add file=INDEX or file=NAME");
        if (int.TryParse(file, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
            && index < _files.Count)
            return _files[index];
        var named = _files.Where(f => f.Name == file).ToList();
        if (named.Count == 1) return named[0];
        string served = string.Join(", ", _files.Select(f => $"{f.Index} ({f.Name})"));
        throw named.Count > 1
            ? new RequestException($"{named.Count} served files are named '{file}': ask for one by index", [$"served: {served}"])
            : new RequestException($"'{file}' is not a served file: only the files named on the command line are, by index or name",
                [$"served: {served}"]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var file in _files) file.Dispose();
    }
}
