using System.CommandLine;
using System.Globalization;
using NeuronKit.Cli.Output;
using NeuronKit.Edits;
using NeuronKit.Layers;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary>
/// <c>neuron prune FILE LAYER INDEX[,INDEX…] -o OUT</c>: removes neurons and shrinks every tensor that holds them or reads
/// them, writing the smaller model in the file's own format.
/// </summary>
internal static class PruneCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = CommonOptions.File();
        var layer = new Argument<string?>("LAYER") { Description = "The layer, as for show (or give several with --neurons).", Arity = ArgumentArity.ZeroOrOne };
        var indices = new Argument<string?>("INDICES")
        {
            Description = "The neurons to remove, separated by commas (3 or 1,5,9), a range first..last among them (8..15); negative ones count from the end.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var neurons = new Option<string?>("--neurons")
        {
            Description = "Neurons of several layers, as LAYER:INDEX pairs separated by commas (rnn.l0:3,rnn.l0_reverse:3); an INDEX may be a range, first..last (conv1:8..15).",
        };
        var consumers = new Option<string[]>("--consumer")
        {
            Description = "The layer that reads a pruned layer's output where the file tells none (repeatable); its inputs shrink too. " +
                "Layers whose consumers the file tells keep those. A per-channel layer named too (a BatchNorm) is taken as on the way to the others.",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the pruned model to OUT." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be cut and write nothing." };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("prune",
            "Remove neurons: their rows, filters or gate rows, bias and norm entries, and the consumers' input columns; shapes shrink.")
        {
            file, layer, indices, neurons, consumers, output, dryRun, json, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            string? target = parse.GetValue(output);
            bool dry = parse.GetValue(dryRun);
            if (target is null && !dry) throw new RequestException("say where to write: -o OUT (prune always writes a new file)");
            using var model = Model.Open(parse.GetValue(file)!);
            // A file no prune can be written into says so first; a dry run still shows the plan.
            if (!dry) ModelPrune.CheckWritable(model);
            var targets = Targets(model, parse.GetValue(layer), parse.GetValue(indices), parse.GetValue(neurons));
            var prune = ModelPrune.Plan(model, targets, parse.GetValue(consumers) ?? []);
            if (!dry) prune.WriteTo(target!);
            if (parse.GetValue(json)) ReportJson.Write(stdout, PruneReport.Of(prune, dry));
            else PruneTextWriter.Write(stdout, prune, dry);
            foreach (var stale in StaleConfigSize.Of(prune)) stderr.WriteLine($"note: {PrintableWriter.OneLine(Note(stale))}");
            foreach (string note in prune.Notes) stderr.WriteLine($"note: {PrintableWriter.OneLine(note)}");
        }));
        return command;
    }

    private static List<(Layer, IReadOnlyList<long>)> Targets(Model model, string? layer, string? indices, string? neurons)
    {
        if (neurons is null)
        {
            if (layer is null || indices is null) throw new RequestException("name the neurons: LAYER INDEX[,INDEX…], or --neurons LAYER:INDEX,…");
            var named = model.Layer(layer);
            return [(named, [.. indices.Split(',', StringSplitOptions.TrimEntries).SelectMany(i => IndexRange.Parse(i).In(named))])];
        }
        if (layer is not null) throw new RequestException("give the neurons either as LAYER INDICES or with --neurons, not both");
        var pairs = new List<(Layer, IReadOnlyList<long>)>();
        foreach (string item in neurons.Split(',', StringSplitOptions.TrimEntries))
        {
            int colon = item.LastIndexOf(':');
            if (colon <= 0) throw new RequestException($"--neurons: '{item}' is not LAYER:INDEX (fc:3) or LAYER:FIRST..LAST (conv1:8..15)");
            var named = model.Layer(item[..colon]);
            pairs.Add((named, [.. IndexRange.Parse(item[(colon + 1)..]).In(named)]));
        }
        return pairs;
    }

    // What a stale width in config.json means for loading the pruned copy, and what to do.
    private static string Note(StaleConfigSize stale)
    {
        string layers = stale.Layers.Count <= 3 ? string.Join(", ", stale.Layers) : $"{stale.Layers[0]} and {stale.Layers.Count - 1:N0} more layers";
        string now = string.Join(" or ", stale.Now.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)));
        return $"config.json beside the file says {stale.Key} {stale.Size:N0}, the size of {layers} before the prune ({now} now): " +
            (stale.Now.Count == 1
                ? $"transformers builds the model from it and refuses other shapes, so give the pruned copy a config.json that says {stale.Key} {now}"
                : $"transformers builds every layer at one size, so it cannot load the pruned copy unless each layer loses as many neurons");
    }
}
