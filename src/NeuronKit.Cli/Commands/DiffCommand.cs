using System.CommandLine;
using NeuronKit.Cli.Output;
using NeuronKit.Adapters;
using NeuronKit.Diff;
using NeuronKit.Tensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron diff A B [LAYER [INDEX]]</c>: how every neuron changed from one file to another.</summary>
internal static class DiffCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var a = new Argument<string>("A") { Description = "The model file changes are measured from (a path, a model folder or an http(s):// URL)." };
        var b = new Argument<string>("B") { Description = "The model file they are measured to: a fine-tuned, later or quantized copy, or a PEFT LoRA adapter of A (compared merged into A)." };
        var layer = new Argument<string?>("LAYER")
        {
            Description = "Only this layer (a name of A, as 'neuron layers' lists it, or B's name for it); every layer both files have when left out.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var index = new Argument<long?>("INDEX")
        {
            Description = "Only this neuron of LAYER (A's index), its parts in A and B side by side with the difference (negative counts from the end).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = CommonOptions.Json();
        var csv = new Option<bool>("--csv") { Description = "Print one CSV row per neuron instead of text." };
        var sort = new Option<string?>("--sort")
        {
            Description = "Order each layer's neurons by index, l2_delta, relative, cosine (least similar first), max_abs or bias_delta " +
                "(largest first; add :asc or :desc, e.g. relative:asc).",
        };
        var top = new Option<int?>("--top") { Description = "Print only the first N neurons of each layer after sorting (0: summaries only)." };
        var full = new Option<bool>("--full") { Description = "With INDEX, print every value of long parts." };
        var loraBase = CommonOptions.Base("A and B are LoRA adapters (two steps of a LoRA run, two adapters of one model): compare each merged into this base " +
            "model instead of their factors. A side that is not an adapter is compared as it is.");
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("diff", "How every neuron changed from file A to file B: its incoming weights (L2 of the change, relative, " +
            "cosine, largest change), its bias and flags (became dead, revived, bias sign changed); a summary per layer and for the model.")
        {
            a, b, layer, index, json, csv, sort, top, full, loraBase, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            bool asJson = parse.GetValue(json), asCsv = parse.GetValue(csv);
            if (asJson && asCsv) throw new RequestException("--json and --csv both ask for the output format; give one");
            var order = DiffOrder.Parse(parse.GetValue(sort), parse.GetValue(top));
            using var @base = parse.GetValue(loraBase) is { } basePath ? Model.Open(basePath) : null;
            var (modelA, modelB) = Opened(parse.GetValue(a)!, parse.GetValue(b)!, @base);
            using var disposeA = modelA;
            using var disposeB = modelB;
            string? name = parse.GetValue(layer);
            long? neuron = parse.GetValue(index);
            bool showProgress = !asJson && !asCsv && neuron is null && StatsProgress.Possible(stderr);
            var diff = Compute(modelA, modelB, name, showProgress);
            if (neuron is { } j)
            {
                var pair = ModelDiff.Pair(modelA, modelB, name!);
                var neuronA = pair.A.Neuron(pair.AIndexOf(name!, j));
                diff = diff.Only(neuronA.Index);
                if (!asJson && !asCsv)
                {
                    DiffNeuronTextWriter.Write(stdout, diff, neuronA, pair.B.Neuron(pair.BIndex(neuronA.Index)), parse.GetValue(full));
                    return;
                }
            }
            if (asJson) ReportJson.Write(stdout, DiffReport.Of(diff, order));
            else if (asCsv)
            {
                DiffCsvWriter.Write(stdout, diff, order);
                // CSV rows have no place for the layers not compared; stderr keeps them out of the data, as for stats --csv.
                foreach (string line in DiffTextWriter.NotCompared(diff)) stderr.WriteLine($"note: {line}");
            }
            else DiffTextWriter.Write(stdout, diff, order);
        }));
        return command;
    }

    // A LoRA adapter on one side is compared merged into the model on the other, its base; two adapters as they are,
    // or, given their base (which must outlive both), each merged into it.
    private static (Model A, Model B) Opened(string pathA, string pathB, Model? @base)
    {
        Model? a = Model.Open(pathA), b = null;
        try
        {
            b = Model.Open(pathB);
            bool adapterA = LoraAdapter.Holds(a.Checkpoint), adapterB = LoraAdapter.Holds(b.Checkpoint);
            if (@base is not null)
            {
                if (!adapterA && !adapterB)
                    throw new RequestException($"--base merges LoRA adapters into their base, and neither {ByteSources.FileName(pathA)} nor {ByteSources.FileName(pathB)} is one",
                        ["leave --base out to compare the two models as they are"]);
                if (adapterA) a = LoraAdapter.Merge(Take(ref a), @base);
                if (adapterB) b = LoraAdapter.Merge(Take(ref b), @base);
            }
            else if (adapterA && adapterB) return (a, b); // two adapters (two steps of a LoRA run): their factors, as they are
            else if (adapterB) b = LoraAdapter.Merge(Take(ref b), a);
            else if (adapterA) a = LoraAdapter.Merge(Take(ref a), b);
            return (a, b);
        }
        catch
        {
            a?.Dispose();
            b?.Dispose();
            throw;
        }
    }

    // Hands the model over (the adapter then owns it, and disposes it if it fails).
    private static Model Take(ref Model? model)
    {
        var taken = model!;
        model = null;
        return taken;
    }

    private static ModelDiff Compute(Model a, Model b, string? layer, bool showProgress)
    {
        var options = new DiffOptions();
        ModelDiff Run() => layer is null ? ModelDiff.Compute(a, b, options) : ModelDiff.Compute(a, b, layer, options);
        if (!showProgress) return Run();
        long done = 0;
        options = options with { Progress = bytes => Interlocked.Add(ref done, bytes) };
        long total = layer is null ? ModelDiff.BytesToRead(a, b) : ModelDiff.BytesToRead(ModelDiff.Pair(a, b, layer));
        var work = Task.Run(Run);
        StatsProgress.Wait(work, () => Interlocked.Read(ref done), total);
        // GetResult rethrows the diff's own exception, so the error contract sees a CheckpointException as itself.
        return work.GetAwaiter().GetResult();
    }
}
