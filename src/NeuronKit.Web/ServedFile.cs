using NeuronKit.Adapters;

namespace NeuronKit.Web;

/// <summary>
/// One file named on <c>neuron serve</c>'s command line: its index and name, the only ways a request may ask for it,
/// and its model, opened once on first use and then read by every request, each holding it by a <see cref="Lease"/>
/// (a <see cref="Model"/> is safe to read from many threads). A failed open is not remembered: a URL whose host was
/// down, or a file caught half written, is opened again by the next request; so is a model one of whose files changed
/// since it was opened: a URL's found changed on its server, a local file rewritten or replaced (found by a stat of
/// each file per request), the side files too (an ONNX model's external data, a sharded model's shards, the base of
/// an adapter served merged).
/// </summary>
public sealed class ServedFile : IDisposable
{
    private readonly string? _loraBase;
    private readonly Lock _opening = new();
    private CountedModel? _current;
    private long _openings; // models opened so far, each one's generation

    internal ServedFile(int index, string name, string path, string? loraBase = null)
    {
        Index = index;
        Name = name;
        Path = path;
        _loraBase = loraBase;
    }

    // A LoRA adapter merged into the base it was served with (the merged model owns both); any other file as it is.
    private static Model Open(string path, string? loraBase)
    {
        var model = Model.Open(path);
        if (loraBase is null || !LoraAdapter.Holds(model.Checkpoint)) return model;
        model.Dispose();
        return LoraAdapter.Open(path, loraBase);
    }

    /// <summary>Its position on the command line, from 0.</summary>
    public int Index { get; }

    /// <summary>Its file name, as requests name it.</summary>
    public string Name { get; }

    /// <summary>The path it was given as; never taken from a request.</summary>
    public string Path { get; }

    /// <summary>
    /// The model for one request, opened on first use, and again once one of its files changed; a file that cannot be
    /// read throws its <see cref="CheckpointException"/> each time it is tried. Dispose the lease when the request is done:
    /// a model replaced meanwhile is disposed once the last request reading it is.
    /// </summary>
    public ModelLease Lease()
    {
        lock (_opening)
        {
            // Asked before any request reads the model: a local file truncated under its mapping is found by a stat here,
            // never by touching a page past its new end (SIGBUS, which ends the process). A file truncated while a
            // request is reading it can still do that; only a signal handler could stop it.
            if (_current is { Model.Checkpoint.Changed: true } changed)
            {
                // Requests still reading it (and failing, as the file changed) keep it open until they are done.
                _current = null;
                changed.Release();
            }
            _current ??= new CountedModel(Open(Path, _loraBase), ++_openings);
            return _current.Lease();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_opening)
        {
            _current?.Release();
            _current = null;
        }
    }
}
