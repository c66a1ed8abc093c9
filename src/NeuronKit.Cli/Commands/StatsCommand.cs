using System.CommandLine;
using NeuronKit.Cli.Output;
using NeuronKit.Stats;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron stats FILE [LAYER]</c>: statistics of every neuron's incoming weights, its bias, and flags.</summary>
internal static class StatsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = CommonOptions.File();
        var layer = new Argument<string?>("LAYER")
        {
            Description = "Only this layer (as 'neuron layers' lists it, or any of its tensors' names); every layer when left out.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = CommonOptions.Json();
        var csv = new Option<bool>("--csv") { Description = "Print one CSV row per neuron instead of text." };
        var sort = new Option<string?>("--sort")
        {
            Description = "Order each layer's neurons by index, l1, l2, mean, std, min, max, zeros or bias " +
                "(largest first; add :asc or :desc, e.g. l2:asc).",
        };
        var top = new Option<int?>("--top") { Description = "Print only the first N neurons of each layer after sorting (0: summaries only)." };
        var outlierK = new Option<double>("--outlier-k")
        {
            Description = "Flag a neuron as an outlier when its L2 norm is more than K robust deviations (1.4826·MAD) from its layer's median; an infinite or NaN norm is always one.",
            DefaultValueFactory = _ => StatsOptions.DefaultOutlierK,
        };
        var outgoing = new Option<bool>("--outgoing")
        {
            Description = "Also give each neuron's outgoing L2 norm and flag unused neurons (outgoing weights all zero), where the consumers are known.",
        };
        var similar = new Option<double?>("--similar")
        {
            Description = "Also give each neuron its nearest other neuron by the cosine similarity of their incoming weights, and flag it " +
                "similar at COSINE or above (near-duplicates, e.g. 0.99). Compares every pair of a layer's neurons.",
            HelpName = "COSINE",
        };
        var loraBase = CommonOptions.Base();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("stats", "Statistics of every neuron's incoming weights (L1, L2, mean, std, min, max, zeros), its bias, " +
            "and flags: dead, duplicate, outlier; a summary per layer and for the model.")
        {
            file, layer, json, csv, sort, top, outlierK, outgoing, similar, loraBase, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            bool asJson = parse.GetValue(json), asCsv = parse.GetValue(csv);
            if (asJson && asCsv) throw new RequestException("--json and --csv both ask for the output format; give one");
            double k = parse.GetValue(outlierK);
            if (!(k > 0) || !double.IsFinite(k)) throw new RequestException($"--outlier-k {k} must be a positive number of deviations");
            double? cosine = parse.GetValue(similar);
            if (cosine is { } c && !(c > 0 && c <= 1)) throw new RequestException($"--similar {c} must be a cosine above 0 and at most 1 (0.99: nearly parallel)");
            var order = StatsOrder.Parse(parse.GetValue(sort), parse.GetValue(top));
            using var model = CommonOptions.Open(parse.GetValue(file)!, parse.GetValue(loraBase));
            var layers = ModelStats.LayersFor(model, parse.GetValue(layer));
            if (cosine is not null && parse.GetValue(layer) is null) CheckSimilarityWork(layers);
            var stats = Compute(model, layers, new StatsOptions { OutlierK = k, Outgoing = parse.GetValue(outgoing), Similar = cosine },
                showProgress: !asJson && StatsProgress.Possible(stderr));
            if (asJson) ReportJson.Write(stdout, StatsReport.Of(stats, order));
            else if (asCsv) StatsCsvWriter.Write(stdout, stats, order, nearest: cosine is not null);
            else StatsTextWriter.Write(stdout, stats, order);
            // CSV rows have no place for a note; stderr keeps it out of the data.
            if (asCsv)
                foreach (var skipped in stats.Skipped)
                    stderr.WriteLine($"note: layer '{PrintableWriter.OneLine(skipped.Layer.Name)}' not measured: {PrintableWriter.OneLine(skipped.Reason)}");
        }));
        return command;
    }

    // Comparing every pair is quadratic in a layer's neurons: a whole model's comparison is refused past about a minute
    // of work here (2^36 multiply-adds: every 4096-weight neuron of 4096×4096 layers twice over), a named layer never.
    private const double SimilarityBudget = 68_719_476_736;

    private static void CheckSimilarityWork(IReadOnlyList<Layers.Layer> layers)
    {
        double work = ModelStats.SimilarityWork(layers);
        if (work <= SimilarityBudget) return;
        var largest = layers.Where(l => Stats.LayerStats.WhyNotMeasurable(l) is null).MaxBy(l => ModelStats.SimilarityWork([l]))!;
        throw new RequestException($"--similar compares every pair of a layer's neurons: {work:0.#e0} multiply-adds in all, " +
            $"{ModelStats.SimilarityWork([largest]):0.#e0} of them in '{PrintableWriter.OneLine(largest.Name)}' ({largest.NeuronCount:N0} neurons), " +
            $"past the {SimilarityBudget:0.#e0} a whole model may take",
            ["name one layer (neuron stats FILE LAYER --similar COSINE) to compare it whatever its size"]);
    }

    private static ModelStats Compute(Model model, IReadOnlyList<Layers.Layer> layers, StatsOptions options, bool showProgress)
    {
        if (!showProgress) return ModelStats.Compute(model, layers, options);
        long done = 0;
        options = options with { Progress = bytes => Interlocked.Add(ref done, bytes) };
        var work = Task.Run(() => ModelStats.Compute(model, layers, options));
        StatsProgress.Wait(work, () => Interlocked.Read(ref done), ModelStats.BytesToRead(layers));
        // GetResult rethrows the scan's own exception, so the error contract sees a CheckpointException as itself.
        return work.GetAwaiter().GetResult();
    }
}
