using NeuronKit.Activations;

namespace NeuronKit.Web;

/// <summary>
/// A served model and how many hold it: its <see cref="ServedFile"/> while it is the file's current model, and each
/// request reading it. The last to let go disposes it, so a model replaced after its file changed is closed once the
/// requests still reading it are done, not kept until the server stops. So is its ONNX Runtime run, which lives and dies
/// with it: a request ranking <c>--inputs</c> runs the very model it leased.
/// </summary>
internal sealed class CountedModel(Model model, long generation)
{
    private readonly Lock _opening = new();
    private int _holders = 1; // the served file's own hold, let go when the model is replaced or the server stops
    private ActivationRun? _run;

    /// <summary>The model.</summary>
    public Model Model => model;

    /// <summary>Which opening of its file this model is, from 1: one more each time a change makes the file be opened again.</summary>
    public long Generation => generation;

    /// <summary>A hold for one request; called only while the served file still holds the model, so it is never revived.</summary>
    public ModelLease Lease()
    {
        Interlocked.Increment(ref _holders);
        return new ModelLease(this);
    }

    /// <summary>
    /// The model's file opened for ONNX Runtime, on first use, and disposed with the model; called only while a lease holds
    /// it. A failed open is not remembered.
    /// </summary>
    public ActivationRun ActivationRun()
    {
        lock (_opening) return _run ??= Activations.ActivationRun.Open(model.Checkpoint.Path);
    }

    /// <summary>Lets one hold go; the last one disposes the model and its run.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0) return;
        lock (_opening) _run?.Dispose();
        model.Dispose();
    }
}
