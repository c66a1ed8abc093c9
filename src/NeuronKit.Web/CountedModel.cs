namespace NeuronKit.Web;

/// <summary>
/// A served model and how many hold it: its <see cref="ServedFile"/> while it is the file's current model, and each
/// request reading it. The last to let go disposes it, so a model replaced after its file changed is closed once the
/// requests still reading it are done, not kept until the server stops.
/// </summary>
internal sealed class CountedModel(Model model)
{
    private int _holders = 1; // the served file's own hold, let go when the model is replaced or the server stops

    /// <summary>The model.</summary>
    public Model Model => model;

    /// <summary>A hold for one request; called only while the served file still holds the model, so it is never revived.</summary>
    public ModelLease Lease()
    {
        Interlocked.Increment(ref _holders);
        return new ModelLease(this);
    }

    /// <summary>Lets one hold go; the last one disposes the model.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0) model.Dispose();
    }
}
