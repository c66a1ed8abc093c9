namespace NeuronKit.Web;

/// <summary>
/// A served file's model, held open for one request (<see cref="ServedFile.Lease"/>) until disposed, even when a change
/// to its file makes later requests read a newer model meanwhile.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private CountedModel? _held;

    internal ModelLease(CountedModel held)
    {
        _held = held;
        Model = held.Model;
    }

    /// <summary>The model, open until this lease is disposed.</summary>
    public Model Model { get; }

    /// <inheritdoc/>
    public void Dispose() => Interlocked.Exchange(ref _held, null)?.Release();
}
