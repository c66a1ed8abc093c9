namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron act --inputs</c>'s progress: one line on stderr, rewritten in place after each input, only when stderr is
/// a terminal (piped or captured output never gets it).
/// </summary>
internal static class ActProgress
{
    /// <summary>The callback that draws the line, or null when stderr is not a terminal.</summary>
    public static Action<int, int>? For(TextWriter stderr) =>
        StatsProgress.Possible(stderr) ? (done, total) => PrintableWriter.Raw(stderr).Write($"\rrunning the model: {done}/{total} inputs") : null;

    /// <summary>Clears the line, if one was drawn.</summary>
    public static void Done(TextWriter stderr, Action<int, int>? progress)
    {
        if (progress is not null) PrintableWriter.Raw(stderr).Write("\r\x1b[K");
    }
}
