using System.CommandLine;
using System.Text;
using NeuronKit.Cli.Output;
using NeuronKit.Stats;
using NeuronKit.Track;
using NeuronKit.Views.Tables;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron track CHECKPOINT…</c>: the statistics of every neuron in every checkpoint of a run, as one Parquet (or CSV) table.</summary>
internal static class TrackCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var checkpoints = new Argument<string[]>("CHECKPOINT")
        {
            Description = "The run's checkpoints: paths or model folders, quoted globs the tool expands ('run/*.pt', 'out/checkpoint-*') " +
                "or @LIST (a file naming one path per line).",
            Arity = ArgumentArity.OneOrMore,
        };
        var layer = new Option<string?>("--layer") { Description = "Only this layer (as 'neuron layers' lists it); every layer when left out.", HelpName = "L" };
        var parquet = new Option<string?>("--parquet") { Description = "Write the rows to this Parquet file (typed columns; for DuckDB, Spark, pandas).", HelpName = "OUT" };
        var csv = new Option<string?>("--csv") { Description = "Write the rows to this CSV file instead ('-': standard output).", HelpName = "OUT" };
        var shard = new Option<string?>("--shard")
        {
            Description = "Take only shard I of N (from 0) of the run: the checkpoints at positions I, I+N, … of its paths sorted as text, " +
                "so N processes split a run with no coordination.",
            HelpName = "I/N",
        };
        var outlierK = new Option<double>("--outlier-k")
        {
            Description = "Flag a neuron as an outlier when its L2 norm is more than K robust deviations (1.4826·MAD) from its layer's median; an infinite or NaN norm is always one.",
            DefaultValueFactory = _ => StatsOptions.DefaultOutlierK,
            HelpName = "K",
        };
        var outgoing = new Option<bool>("--outgoing")
        {
            Description = "Also give each neuron's outgoing L2 norm and flag unused neurons, where the consumers are known.",
        };
        var keepGoing = new Option<bool>("--keep-going")
        {
            Description = "Skip a checkpoint that cannot be read (a warning names it and why) instead of stopping; the others' rows are written.",
        };
        var loraBase = CommonOptions.Base("The run saved LoRA adapters (PEFT's checkpoint-N/ folders, llama.cpp adapter GGUFs): measure each merged into this base " +
            "model, so the rows are the model's neurons. A checkpoint that is not an adapter (the base itself, as the run's start) is measured as it is.");
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("track", "The statistics of every neuron in every checkpoint of a training run, one row per " +
            "(checkpoint, layer, neuron) with the checkpoint's step: neuron stats' columns, as Parquet or CSV.")
        {
            checkpoints, layer, parquet, csv, shard, outlierK, outgoing, keepGoing, loraBase, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            string? parquetPath = parse.GetValue(parquet), csvPath = parse.GetValue(csv);
            if (parquetPath is null == csvPath is null)
                throw new RequestException(parquetPath is null ? "say where the rows go: --parquet OUT.parquet or --csv OUT.csv"
                    : "--parquet and --csv both ask for the output; give one");
            double k = parse.GetValue(outlierK);
            if (!(k > 0) || !double.IsFinite(k)) throw new RequestException($"--outlier-k {k} must be a positive number of deviations");
            var part = parse.GetValue(shard) is { } text ? RunShard.Parse(text) : RunShard.All;
            using var @base = parse.GetValue(loraBase) is { } basePath ? Model.Open(basePath) : null;
            var run = TrackRun.Plan(RunInputs.Expand(parse.GetValue(checkpoints)!), part, parse.GetValue(layer), parse.GetValue(keepGoing), @base);
            if ((parquetPath ?? csvPath) is { } written && written != "-") OutputFile.EnsureNotRead(written, run.Checkpoints.Select(c => c.Path));
            var options = new StatsOptions { OutlierK = k, Outgoing = parse.GetValue(outgoing) };
            var notMeasured = new NotMeasuredLayers();
            long rows = Run(run, options, notMeasured, parquetPath, csvPath, stdout, StatsProgress.Possible(stderr));
            // After the run, not as they happen: the progress bar owns stderr's last line meanwhile.
            foreach (var skipped in run.Skipped) stderr.WriteLine($"warning: {PrintableWriter.OneLine(skipped.Reason)}; skipped");
            notMeasured.WriteNotes(stderr);
            if (run.UnmergedAdapters > 0)
                stderr.WriteLine($"note: {Counted.Of(run.UnmergedAdapters, "checkpoint")} {(run.UnmergedAdapters == 1 ? "is a LoRA adapter" : "are LoRA adapters")}, " +
                    "measured as their factors (lora_A, lora_B); --base BASE measures each merged into the model it was trained on");
            if (csvPath != "-") stdout.WriteLine(Summary(parquetPath ?? csvPath!, run, rows));
        }));
        return command;
    }

    private static long Run(TrackRun run, StatsOptions options, NotMeasuredLayers notMeasured, string? parquetPath, string? csvPath, TextWriter stdout, bool showProgress)
    {
        long done = 0;
        if (showProgress) options = options with { Progress = bytes => Interlocked.Add(ref done, bytes) };
        var checkpoints = notMeasured.Noting(run.Compute(options));
        var work = Task.Run(() => parquetPath is not null ? WriteParquet(run, checkpoints, options, parquetPath) : WriteCsv(checkpoints, csvPath!, stdout));
        if (showProgress) StatsProgress.Wait(work, () => Interlocked.Read(ref done), run.BytesToRead);
        // GetResult rethrows the run's own exception, so the error contract sees a CheckpointException as itself.
        return work.GetAwaiter().GetResult();
    }

    private static async Task<long> WriteParquet(TrackRun run, IEnumerable<CheckpointStats> checkpoints, StatsOptions options, string path)
    {
        long rows = 0;
        await OutputFile.WriteAsync(path, async stream =>
        {
            await using var writer = await TrackParquetWriter.CreateAsync(stream, TrackParquetWriter.Metadata(run, options));
            foreach (var checkpoint in checkpoints) await writer.AddAsync(checkpoint);
            await writer.CompleteAsync([.. run.Skipped.Select(s => s.Path)]);
            rows = writer.Rows;
        });
        return rows;
    }

    private static async Task<long> WriteCsv(IEnumerable<CheckpointStats> checkpoints, string path, TextWriter stdout)
    {
        if (path == "-") return WriteCsv(checkpoints, stdout);
        long rows = 0;
        await OutputFile.WriteAsync(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
            rows = WriteCsv(checkpoints, writer);
            return Task.CompletedTask;
        });
        return rows;
    }

    private static long WriteCsv(IEnumerable<CheckpointStats> checkpoints, TextWriter output)
    {
        long rows = 0;
        TrackCsvWriter.WriteHeader(output);
        foreach (var checkpoint in checkpoints)
        {
            TrackCsvWriter.Write(output, checkpoint);
            rows += checkpoint.Stats.NeuronCount;
        }
        return rows;
    }

    // "wrote run.parquet: 96 rows from 6 checkpoints (steps 0 to 80)"; a shard says which part of how large a run it is,
    // a run that skipped unreadable checkpoints how many.
    private static string Summary(string path, TrackRun run, long rows)
    {
        // A checkpoint that could not be read while computing is still among the planned ones.
        var written = run.Checkpoints.Where(c => run.Skipped.All(s => s.Path != c.Path)).ToList();
        int count = written.Count;
        string from = run.Shard.Count == 1 ? $"{count} checkpoint{(count == 1 ? "" : "s")}" : $"{count} of the run's {Counted.Of(run.RunSize, "checkpoint")}";
        var steps = written.Where(c => c.Step is not null).Select(c => c.Step!.Value).ToList();
        int unknown = count - steps.Count;
        var notes = new List<string>();
        if (run.Shard.Count > 1) notes.Add($"shard {run.Shard}");
        if (steps.Count > 0) notes.Add(steps.Min() == steps.Max() ? $"step {steps[0]}" : $"steps {steps.Min()} to {steps.Max()}");
        if (unknown > 0) notes.Add($"{unknown} without a step");
        if (run.Skipped.Count > 0) notes.Add($"{run.Skipped.Count} skipped: cannot be read");
        if (run.MergedAdapters > 0) notes.Add($"{Counted.Of(run.MergedAdapters, "LoRA adapter")} merged into {Tensors.ByteSources.FileName(run.LoraBase!)}");
        return $"wrote {path}: {Counted.Of(rows, "row")} from {from}" + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : "");
    }
}
