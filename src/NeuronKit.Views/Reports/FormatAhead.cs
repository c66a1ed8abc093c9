namespace NeuronKit.Views.Reports;

/// <summary>
/// Chunks of output formatted on the thread pool a few chunks ahead of their writer, and handed to it in order:
/// formatting a hundred thousand rows of shortest round-trip numbers is as much work as measuring the weights, and
/// this spreads it over all cores while memory holds only the chunks in flight.
/// </summary>
internal sealed class FormatAhead<T>(Action<T> write)
{
    private readonly Queue<Task<T>> _ahead = new();
    private readonly int _depth = 2 * Environment.ProcessorCount;

    /// <summary>Starts formatting one more chunk; writes the oldest when enough are in flight.</summary>
    public void Add(Func<T> format)
    {
        _ahead.Enqueue(Task.Run(format));
        if (_ahead.Count > _depth) WriteOldest();
    }

    /// <summary>Writes every chunk still in flight, in order.</summary>
    public void Flush()
    {
        while (_ahead.Count > 0) WriteOldest();
    }

    // GetResult rethrows a failed chunk's own exception rather than an AggregateException.
    private void WriteOldest() => write(_ahead.Dequeue().GetAwaiter().GetResult());
}
