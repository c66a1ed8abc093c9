namespace NeuronKit.Activations;

/// <summary>
/// Runs a model on many input files, a batch at a time so that memory stays flat in their number: the K inputs that
/// activate a neuron most, or the [inputs × neurons] table of a whole layer. A batch's files are decoded on all cores
/// while the model runs the previous batch, in one ONNX Runtime call when the model's batch dimension is free.
/// </summary>
public static class FolderActivations
{
    /// <summary>
    /// The <paramref name="k"/> inputs (batch items) of <paramref name="files"/> with the highest score of neuron
    /// <paramref name="index"/>, highest first (ties in file order), and how many were run. <paramref name="progress"/>
    /// hears (files done, files) after each batch of <paramref name="batch"/> files.
    /// </summary>
    public static (IReadOnlyList<NeuronActivation> Top, long Count) Top(ActivationRun run, string layer, long index, IReadOnlyList<string> files,
        int k, ActivationScore by, bool post = false, ImageOptions? options = null, Action<int, int>? progress = null,
        int batch = ActivationRun.DefaultBatch)
    {
        if (k < 1) throw new RequestException($"--top {k}: give 1 or more");
        // A min-heap of the best k so far; the sequence number keeps ties in file order.
        var best = new PriorityQueue<NeuronActivation, (double Score, long Order)>(
            Comparer<(double Score, long Order)>.Create((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Order.CompareTo(a.Order)));
        long count = 0;
        run.Output(layer, post); // a wrong layer is said before any file is read
        foreach (var (inputs, done) in InputBatches.Read(run, files, options, batch))
        {
            foreach (var activation in run.Activations(layer, index, inputs, post, batch))
            {
                best.Enqueue(activation, (activation.Score(by), count++));
                if (best.Count > k) best.Dequeue();
            }
            progress?.Invoke(done, files.Count);
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
        ActivationScore by, bool post = false, ImageOptions? options = null, Action<int, int>? progress = null,
        int batch = ActivationRun.DefaultBatch)
    {
        var output = run.Output(layer, post);
        var rows = new List<(string, double[])>();
        foreach (var (inputs, done) in InputBatches.Read(run, files, options, batch))
        {
            foreach (var neurons in run.LayerActivations(output, inputs, batch))
                rows.Add((neurons[0].Input, [.. neurons.Select(n => n.Score(by))]));
            progress?.Invoke(done, files.Count);
        }
        return rows;
    }
}
