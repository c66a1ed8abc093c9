namespace NeuronKit.Activations;

/// <summary>
/// A folder's files read a batch at a time: the files of a batch decoded on all cores, the next batch decoded while the
/// caller runs the model on this one. At most two batches are in memory, whatever the number of files.
/// </summary>
internal static class InputBatches
{
    /// <summary>The inputs of <paramref name="files"/>, <paramref name="size"/> files at a time, each with the number of files read so far.</summary>
    public static IEnumerable<(IReadOnlyList<ActivationInput> Inputs, int FilesDone)> Read(ActivationRun run, IReadOnlyList<string> files,
        ImageOptions? options, int size)
    {
        ActivationRun.CheckBatch(size);
        if (run.Inputs.Count != 1)
            throw new RequestException($"--inputs feeds models of one input; this one takes {run.Inputs.Count} ({string.Join(", ", run.Inputs.Select(i => i.Name))})");
        Task<ActivationInput[]>? next = files.Count > 0 ? Task.Run(() => ReadBatch(run, files, 0, size, options)) : null;
        for (int start = 0; next is not null; start += size)
        {
            // GetResult rethrows the reader's own exception (a CheckpointException naming the file), not an AggregateException.
            var inputs = next.GetAwaiter().GetResult();
            int following = start + size;
            next = following < files.Count ? Task.Run(() => ReadBatch(run, files, following, size, options)) : null;
            yield return (inputs, Math.Min(following, files.Count));
        }
    }

    private static ActivationInput[] ReadBatch(ActivationRun run, IReadOnlyList<string> files, int start, int size, ImageOptions? options)
    {
        var inputs = new ActivationInput[Math.Min(size, files.Count - start)];
        try
        {
            Parallel.For(0, inputs.Length, i =>
            {
                var input = run.ReadInputs([files[start + i]], options)[0];
                inputs[i] = input with { Label = Path.GetFileName(files[start + i]) };
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first file that failed, in file order, says why, as itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return inputs;
    }
}
