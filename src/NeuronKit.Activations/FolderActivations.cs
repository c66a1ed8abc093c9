namespace NeuronKit.Activations;

/// <summary>
/// Runs a model on many input files, one file at a time so that memory stays flat in their number: the K inputs that
/// activate a neuron most, or the [inputs × neurons] table of a whole layer.
/// </summary>
public static class FolderActivations
{
    /// <summary>
    /// The <paramref name="k"/> inputs (batch items) of <paramref name="files"/> with the highest score of neuron
    /// <paramref name="index"/>, highest first (ties in file order), and how many were run. <paramref name="progress"/>
    /// hears (files done, files) after each file.
    /// </summary>
    public static (IReadOnlyList<NeuronActivation> Top, long Count) Top(ActivationRun run, string layer, long index, IReadOnlyList<string> files,
        int k, ActivationScore by, bool post = false, ImageOptions? options = null, Action<int, int>? progress = null)
    {
        if (k < 1) throw new RequestException($"--top {k}: give 1 or more");
        // A min-heap of the best k so far; the sequence number keeps ties in file order.
        var best = new PriorityQueue<NeuronActivation, (double Score, long Order)>(
            Comparer<(double Score, long Order)>.Create((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Order.CompareTo(a.Order)));
        long count = 0;
        for (int i = 0; i < files.Count; i++)
        {
            foreach (var activation in run.Activations(layer, index, [Read(run, files[i], options)], post))
            {
                best.Enqueue(activation, (activation.Score(by), count++));
                if (best.Count > k) best.Dequeue();
            }
            progress?.Invoke(i + 1, files.Count);
        }
        var top = new List<NeuronActivation>(best.Count);
        while (best.Count > 0) top.Add(best.Dequeue());
        top.Reverse();
        return (top, count);
    }

    /// <summary>
    /// Every neuron of <paramref name="layer"/> on every input of <paramref name="files"/>: one row per input (batch item),
    /// the score of each neuron in it.
    /// </summary>
    public static IReadOnlyList<(string Input, double[] Scores)> Table(ActivationRun run, string layer, IReadOnlyList<string> files,
        ActivationScore by, bool post = false, ImageOptions? options = null, Action<int, int>? progress = null)
    {
        var output = run.Output(layer, post);
        var rows = new List<(string, double[])>();
        for (int i = 0; i < files.Count; i++)
        {
            foreach (var neurons in run.LayerActivations(output, Read(run, files[i], options)))
                rows.Add((neurons[0].Input, [.. neurons.Select(n => n.Score(by))]));
            progress?.Invoke(i + 1, files.Count);
        }
        return rows;
    }

    private static ActivationInput Read(ActivationRun run, string file, ImageOptions? options)
    {
        if (run.Inputs.Count != 1)
            throw new RequestException($"--inputs feeds models of one input; this one takes {run.Inputs.Count} ({string.Join(", ", run.Inputs.Select(i => i.Name))})");
        var input = run.ReadInputs([file], options)[0];
        return input with { Label = Path.GetFileName(file) };
    }
}
