using NeuronKit.Activations;

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
        Generation = held.Generation;
    }

    /// <summary>The model, open until this lease is disposed.</summary>
    public Model Model { get; }

    /// <summary>Which opening of its file <see cref="Model"/> is, from 1; what was computed with one is never served for another.</summary>
    public long Generation { get; }

    /// <summary>The model as ONNX Runtime runs it, opened on first use; open until this lease is disposed, as the model is.</summary>
    internal ActivationRun ActivationRun() =>
        (_held ?? throw new ObjectDisposedException(nameof(ModelLease))).ActivationRun();

    /// <inheritdoc/>
    public void Dispose() => Interlocked.Exchange(ref _held, null)?.Release();
}
