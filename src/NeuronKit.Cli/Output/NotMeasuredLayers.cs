using NeuronKit.Track;

namespace NeuronKit.Cli.Output;

/// <summary>
/// The layers a run's checkpoints had that <c>neuron track</c> could not measure (complex, or a view repeating one value
/// billions of times): the table has no rows of them, so stderr says which, once a layer however many checkpoints had it,
/// as <c>neuron stats --csv</c> says it of one file.
/// </summary>
internal sealed class NotMeasuredLayers
{
    private readonly OrderedDictionary<string, (string Reason, int Checkpoints)> _layers = new(StringComparer.Ordinal);

    /// <summary>The checkpoints as they are computed, noting each one's unmeasured layers on the way.</summary>
    public IEnumerable<CheckpointStats> Noting(IEnumerable<CheckpointStats> checkpoints)
    {
        foreach (var checkpoint in checkpoints)
        {
            foreach (var skipped in checkpoint.Stats.Skipped)
                _layers[skipped.Layer.Name] = _layers.TryGetValue(skipped.Layer.Name, out var seen)
                    ? (seen.Reason, seen.Checkpoints + 1)
                    : (skipped.Reason, 1);
            yield return checkpoint;
        }
    }

    /// <summary>One <c>note:</c> line per layer not measured, in the order first met.</summary>
    public void WriteNotes(TextWriter stderr)
    {
        foreach (var (name, (reason, checkpoints)) in _layers)
            stderr.WriteLine($"note: layer '{PrintableWriter.OneLine(name)}' not measured ({Counted.Of(checkpoints, "checkpoint")}): {PrintableWriter.OneLine(reason)}");
    }
}
