using NeuronKit.Tensors;

namespace NeuronKit.Formats;

/// <summary>
/// An opened checkpoint: its named tensors (lazy), metadata and model graph. Owns the file mapping; every
/// <see cref="TensorView"/> borrows it, so views must not outlive the checkpoint.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    private readonly Dictionary<string, TensorInfo> _byName;
    private readonly IReadOnlyList<IDisposable> _owned;

    /// <summary>Makes a checkpoint of already validated tensors; it disposes <paramref name="owned"/> with itself.</summary>
    public Checkpoint(string path, string format, IReadOnlyList<TensorInfo> tensors, IReadOnlyList<IDisposable> owned,
        IReadOnlyDictionary<string, string>? metadata = null, ModelGraph? graph = null, IReadOnlyList<string>? files = null)
    {
        Path = path;
        Files = files ?? [path];
        Format = format;
        Tensors = tensors;
        _owned = owned;
        Metadata = metadata ?? new Dictionary<string, string>();
        Graph = graph ?? ModelGraph.Empty;
        _byName = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
            if (!_byName.TryAdd(tensor.Name, tensor))
                throw new CheckpointException($"{NeuronKit.Tensors.ByteSources.FileName(path)} holds two tensors named '{tensor.Name}'");
    }

    /// <summary>The path the checkpoint was opened from.</summary>
    public string Path { get; }

    /// <summary>
    /// The checkpoint's file name, as messages and reports name it: a URL's last segment, without its query (which may
    /// carry a signature) or fragment.
    /// </summary>
    public string FileName => NeuronKit.Tensors.ByteSources.FileName(Path);

    /// <summary>
    /// The files the checkpoint was read from: its <see cref="Path"/>, or, for a model saved as several files, each of
    /// them (a safetensors index and its shards; every split of a split GGUF) as a full path or a URL.
    /// </summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The format's short name (<c>pytorch</c>).</summary>
    public string Format { get; }

    /// <summary>Every tensor, in file order.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>Free-form facts from the file (format version, producer, …).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>What the file says about its model beyond tensors.</summary>
    public ModelGraph Graph { get; }

    /// <summary>
    /// True once a file it reads was found changed (<see cref="ByteSource.Changed"/>), or one it read at open
    /// (<see cref="ReadAtOpen"/>): open it again to read the new one.
    /// </summary>
    public bool Changed => _owned.Any(owned => owned is ByteSource { Changed: true } or Checkpoint { Changed: true })
        || ReadAtOpen.Any(file => file.Changed());

    /// <summary>
    /// Local files read whole at open and closed again, which it does not own but its tensors depend on (a sharded model's
    /// index, which places each tensor in a shard), as they were before they were read.
    /// </summary>
    internal IReadOnlyList<FileSnapshot> ReadAtOpen { get; init; } = [];

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public TensorInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
    }
}
