using System.CommandLine;
using NeuronKit.Activations;
using NeuronKit.Cli.Output;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary>
/// <c>neuron act MODEL.onnx LAYER INDEX --input IN</c>: what a neuron outputs on inputs, run with ONNX Runtime; with
/// <c>--inputs DIR</c>, the inputs of a folder that activate it most, or (<c>--all</c>) the whole layer's table.
/// </summary>
internal static class ActCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("MODEL") { Description = "The ONNX model to run (external data is read from beside it)." };
        var layer = new Argument<string>("LAYER")
        {
            Description = "The layer as 'neuron layers' lists it: an ONNX node's name (/net/net.0/Gemm, Convolution249).",
        };
        var index = new Argument<long?>("INDEX")
        {
            Description = "The neuron (a conv's output channel, a Linear's output feature); negative counts from the end. Left out with --all.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var input = new Option<string[]>("--input")
        {
            Description = "An input: a .npy array, or a PNG or JPEG picture; NAME=FILE for a model of several inputs (repeatable).",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "IN",
        };
        var inputs = new Option<string?>("--inputs") { Description = "Run every .npy, .png and .jpg of this folder, a batch at a time.", HelpName = "DIR" };
        var batch = new Option<int>("--batch")
        {
            Description = "Inputs per ONNX Runtime call when the model's batch dimension is free (a model of batch 1 runs one at a time).",
            DefaultValueFactory = _ => ActivationRun.DefaultBatch,
            HelpName = "N",
        };
        var top = new Option<int?>("--top") { Description = "With --inputs: list the K inputs that activate the neuron most (default 10).", HelpName = "K" };
        var by = new Option<string>("--by") { Description = "What ranks inputs: the max of the neuron's output, or its mean.", DefaultValueFactory = _ => "max" };
        by.AcceptOnlyFromAmong([.. ActivationScores.Names]);
        var all = new Option<bool>("--all") { Description = "With --inputs and no INDEX: every neuron of the layer, an [inputs × neurons] table of --by scores." };
        var post = new Option<bool>("--post") { Description = "The output after the activation function that follows the layer (its Relu, Sigmoid, …)." };
        var preprocess = CommonOptions.Preprocess();
        var layout = CommonOptions.Layout();
        var json = CommonOptions.Json();
        var csv = new Option<bool>("--csv") { Description = "Print CSV instead of text." };
        var verbose = CommonOptions.Verbose();
        var command = new Command("act", "Run an ONNX model on inputs and show what neuron INDEX of LAYER outputs (its activation map, or its value).")
        {
            file, layer, index, input, inputs, batch, top, by, all, post, preprocess, layout, json, csv, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), () =>
        {
            bool asJson = parse.GetValue(json), asCsv = parse.GetValue(csv), isPost = parse.GetValue(post), everyNeuron = parse.GetValue(all);
            if (asJson && asCsv) throw new RequestException("--json and --csv both ask for the output format; give one");
            string[] given = parse.GetValue(input) ?? [];
            string? folder = parse.GetValue(inputs);
            long? j = parse.GetValue(index);
            int? k = parse.GetValue(top);
            if ((given.Length > 0) == (folder is not null))
                throw new RequestException("give the inputs either with --input IN (repeatable) or with --inputs DIR, one of the two");
            if (folder is null && (k is not null || everyNeuron))
                throw new RequestException("--top and --all rank the inputs of a folder: give it with --inputs DIR");
            if (everyNeuron && (j is not null || k is not null))
                throw new RequestException("--all shows every neuron: leave out INDEX and --top");
            if (!everyNeuron && j is null)
                throw new RequestException("name the neuron: LAYER INDEX (or --all with --inputs DIR for every neuron of the layer)");
            var images = CommonOptions.Images(parse, preprocess, layout);
            var score = ActivationScores.Parse(parse.GetValue(by)!)!.Value;
            string layerName = parse.GetValue(layer)!;
            int size = parse.GetValue(batch);
            ActivationRun.CheckBatch(size);
            var format = asJson ? ActOutput.Json : asCsv ? ActOutput.Csv : ActOutput.Text;

            using var run = ActivationRun.Open(parse.GetValue(file)!);
            if (folder is null)
            {
                var activations = run.Activations(layerName, j!.Value, run.ReadInputs(given, images), isPost, size);
                long neuron = activations.Count > 0 ? activations[0].Neuron : j.Value;
                ActTextWriter.WriteActivations(stdout, format, layerName, neuron, isPost, activations);
                return;
            }
            var files = InputFolder.Files(folder);
            var progress = ActProgress.For(stderr);
            if (everyNeuron)
            {
                var rows = FolderActivations.Table(run, layerName, files, score, isPost, images, progress, size);
                ActProgress.Done(stderr, progress);
                ActTextWriter.WriteTable(stdout, format, layerName, score, rows);
                return;
            }
            var (best, count) = FolderActivations.Top(run, layerName, j!.Value, files, k ?? 10, score, isPost, images, progress, size);
            ActProgress.Done(stderr, progress);
            ActTextWriter.WriteTop(stdout, format, layerName, best.Count > 0 ? best[0].Neuron : j.Value, score, count, best);
        }));
        return command;
    }
}
