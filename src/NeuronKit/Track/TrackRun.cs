using NeuronKit.Adapters;
using NeuronKit.Formats;
using NeuronKit.Stats;
using NeuronKit.Tensors;

namespace NeuronKit.Track;

/// <summary>
/// The statistics of every neuron in every checkpoint of a training run (or of one shard of it), checkpoint by
/// checkpoint, ordered by step and then by path:
/// <code>
/// var run = TrackRun.Plan(RunInputs.Expand(["run/*.pt"]), RunShard.Parse("0/3"));
/// foreach (var (checkpoint, stats) in run.Compute())
///     Console.WriteLine($"{checkpoint.Step}: {stats.DeadCount} dead");
/// </code>
/// A run of hundreds of checkpoints may hold one that cannot be read (the one a trainer is still writing): with
/// <c>skipUnreadable</c>, such a file is left out, and listed in <see cref="Skipped"/>, instead of stopping the run.
/// A LoRA run saves adapters, not models: given the base they were trained on (<c>loraBase</c>), each adapter is
/// measured merged into it (<see cref="LoraAdapter.Merge(Model, Model)"/>), so the rows follow the model's neurons through training.
/// </summary>
public sealed class TrackRun
{
    private readonly List<SkippedCheckpoint> _skipped;
    private readonly bool _skipUnreadable;
    private readonly Model? _loraBase;

    private TrackRun(IReadOnlyList<RunCheckpoint> checkpoints, int runSize, RunShard shard, string? layer, long bytesToRead,
        List<SkippedCheckpoint> skipped, bool skipUnreadable, Model? loraBase)
    {
        _loraBase = loraBase;
        Checkpoints = checkpoints;
        RunSize = runSize;
        Shard = shard;
        Layer = layer;
        BytesToRead = bytesToRead;
        _skipped = skipped;
        _skipUnreadable = skipUnreadable;
    }

    /// <summary>
    /// The part of the run <paramref name="paths"/> that <paramref name="shard"/> takes, each checkpoint opened once
    /// (its header only) to learn its step and check that <paramref name="layer"/>, when given, can be measured in it.
    /// A model saved as several files (<see cref="ModelFiles"/>) is one checkpoint, whichever of its files the paths
    /// name: its index when named (any shard of a safetensors model opens it whole, a torch shard only itself), else the
    /// first of them as text, once it is known to read the others.
    /// A checkpoint that cannot be read throws its <see cref="CheckpointException"/>, naming its path; with
    /// <paramref name="skipUnreadable"/> it is left out and listed in <see cref="Skipped"/> instead, unless none is left.
    /// With <paramref name="loraBase"/> (which must outlive the run), every LoRA adapter among the checkpoints is measured
    /// merged into it, at the step the adapter's own file or folder says; any other checkpoint (the base itself, as the
    /// run's start) as it is.
    /// </summary>
    public static TrackRun Plan(IReadOnlyList<string> paths, RunShard shard, string? layer = null, bool skipUnreadable = false,
        Model? loraBase = null)
    {
        // Shards split the run's models sorted as text, which every process knows without opening a file (the files of
        // one model saved as several go to one shard together); steps order the rows.
        var models = paths.Distinct(StringComparer.Ordinal).GroupBy(ModelFiles.GroupOf, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var taken = models.Where((_, i) => shard.Takes(i))
            .SelectMany(g => g.OrderBy(p => !ModelFiles.IsIndex(p)).ThenBy(p => p, StringComparer.Ordinal)).ToList();
        var checkpoints = new List<RunCheckpoint>(taken.Count);
        var skipped = new List<SkippedCheckpoint>();
        var read = new HashSet<string>(StringComparer.Ordinal); // every file of the checkpoints planned so far
        CheckpointException? first = null;
        long bytes = 0;
        int unmerged = 0, merged = 0;
        foreach (string path in taken)
        {
            if (read.Contains(ByteSources.Absolute(path))) continue; // a shard or split of a model already planned
            try
            {
                var (opened, step, files, adapter) = Named(path, () =>
                {
                    var model = Model.Open(path);
                    // The base itself, listed with its adapters, is where the run starts, whatever its name says.
                    long? step = loraBase is not null && model.Checkpoint.Files.Select(ByteSources.Absolute).SequenceEqual(loraBase.Checkpoint.Files.Select(ByteSources.Absolute))
                        ? 0 : CheckpointStep.Of(model.Checkpoint);
                    return (Merged(model, loraBase), step, model.Checkpoint.Files, LoraAdapter.Holds(model.Checkpoint));
                });
                if (adapter && loraBase is null) unmerged++;
                else if (adapter) merged++;
                using var model = opened;
                var layers = Measured(model, path, layer);
                checkpoints.Add(new RunCheckpoint(path, step));
                bytes += ModelStats.BytesToRead(layers);
                read.UnionWith(files.Select(ByteSources.Absolute));
            }
            catch (CheckpointException e) when (skipUnreadable)
            {
                skipped.Add(new SkippedCheckpoint(path, e.Message));
                first ??= e;
            }
        }
        // Skipping is for the odd bad file of a run; a run with nothing left to measure is an error as it was.
        if (checkpoints.Count == 0 && first is not null)
            throw skipped.Count == 1 ? first : new CheckpointException($"none of the {skipped.Count} checkpoints could be read; the first: {first.Message}", first.Hints, first);
        var ordered = checkpoints
            .OrderBy(c => c.Step is null).ThenBy(c => c.Step)
            .ThenBy(c => c.Path, StringComparer.Ordinal).ToList();
        return new TrackRun(ordered, models.Count, shard, layer, bytes, skipped, skipUnreadable, loraBase) { UnmergedAdapters = unmerged, MergedAdapters = merged };
    }

    /// <summary>
    /// The checkpoints left out because they could not be read, in the order they were found (when the run skips
    /// unreadable files; empty otherwise): by <see cref="Plan"/>, and by <see cref="Compute"/> once it has run past them.
    /// </summary>
    public IReadOnlyList<SkippedCheckpoint> Skipped => _skipped;

    /// <summary>This shard's checkpoints, by step (those without one last), then by path.</summary>
    public IReadOnlyList<RunCheckpoint> Checkpoints { get; }

    /// <summary>How many checkpoints the whole run has, in every shard (the files of a model saved as several counted once).</summary>
    public int RunSize { get; }

    /// <summary>The part of the run this is.</summary>
    public RunShard Shard { get; }

    /// <summary>The one layer measured, or null for every layer.</summary>
    public string? Layer { get; }

    /// <summary>The base model the run's LoRA adapters are measured merged into, or null.</summary>
    public string? LoraBase => _loraBase?.Checkpoint.Path;

    /// <summary>How many of the checkpoints are LoRA adapters measured as their factors (lora_A, lora_B), no base being given.</summary>
    public int UnmergedAdapters { get; private init; }

    /// <summary>How many of the checkpoints are LoRA adapters measured merged into <see cref="LoraBase"/>.</summary>
    public int MergedAdapters { get; private init; }

    /// <summary>The bytes of weights and biases <see cref="Compute"/> reads: a progress bar's total.</summary>
    public long BytesToRead { get; }

    /// <summary>
    /// The statistics of each checkpoint in <see cref="Checkpoints"/>' order, as <c>neuron stats</c> computes them. Each
    /// file is opened when its turn comes and closed when the next is asked for, so a run of any length holds one open.
    /// A checkpoint that can no longer be read (changed since <see cref="Plan"/>) throws, or, in a run that skips
    /// unreadable files, is left out (no row of it is given) and added to <see cref="Skipped"/>.
    /// </summary>
    public IEnumerable<CheckpointStats> Compute(StatsOptions? options = null)
    {
        foreach (var checkpoint in Checkpoints)
        {
            CheckpointStats stats;
            try
            {
                using var model = Named(checkpoint.Path, () => Merged(Model.Open(checkpoint.Path), _loraBase));
                stats = new CheckpointStats(checkpoint, Measure(model, checkpoint.Path, options));
            }
            catch (CheckpointException e) when (_skipUnreadable)
            {
                _skipped.Add(new SkippedCheckpoint(checkpoint.Path, e.Message));
                continue;
            }
            yield return stats;
        }
    }


    private ModelStats Measure(Model model, string path, StatsOptions? options)
    {
        var layers = Measured(model, path, Layer);
        return Named(path, () => ModelStats.Compute(model, layers, options));
    }

    // An adapter merged into the run's base (the merged model owns it); any other checkpoint as it is.
    private static Model Merged(Model model, Model? loraBase) =>
        loraBase is not null && LoraAdapter.Holds(model.Checkpoint) ? LoraAdapter.Merge(model, loraBase) : model;

    private static IReadOnlyList<Layers.Layer> Measured(Model model, string path, string? layer) =>
        Named(path, () => ModelStats.LayersFor(model, layer));

    // Among many files, an error must say which one: its message names the path as given (a reader names the file alone).
    private static T Named<T>(string path, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (NeuronKitException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            string name = Tensors.ByteSources.FileName(path);
            string message = e.Message.StartsWith(name, StringComparison.Ordinal) ? path + e.Message[name.Length..] : $"{path}: {e.Message}";
            throw e switch
            {
                RequestException => new RequestException(message, e.Hints),
                _ => new CheckpointException(message, e.Hints, e),
            };
        }
    }
}
