using System.CommandLine;
using NeuronKit.Cli.Output;
using NeuronKit.Export;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron show FILE LAYER INDEX</c>: every part of one neuron, with its values.</summary>
internal static class ShowCommand
{
    // The GGUF types whose blocks keep integers under a scale (and a min): the codebook types (iq4_nl, mxfp4, …) do not.
    private const string GgufRawTypes = "GGUF's q4_0, q4_1, q5_0, q5_1, q8_0, q2_k … q6_k, q2_0, tq1_0 and tq2_0";
    private const string CodebookLayouts = "GGUF's iq4_nl, iq4_xs, mxfp4 and nvfp4, bitsandbytes' NF4 and FP4, MXFP4, NVFP4 and MLX's float modes";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = CommonOptions.File();
        var layer = new Argument<string>("LAYER")
        {
            Description = "The layer as 'neuron layers' lists it (fc, encoder.0, rnn.l0), or any of its tensors' names (fc.weight).",
        };
        var index = new Argument<long>("INDEX")
        {
            Description = "The neuron's index; a negative one counts from the end, as in Python (-1 is the last).",
        };
        var json = CommonOptions.Json();
        var full = new Option<bool>("--full") { Description = "Print every value instead of PyTorch's shortened form." };
        var raw = new Option<bool>("--raw")
        {
            Description = $"For quantized parts (PyTorch's qint8, quint8, qint32, ONNX QDQ and QLinear, GPTQ, AWQ, compressed-tensors, BitNet, MLX's affine mode, {GgufRawTypes}), " +
                $"also print the stored integers, scales and zero points (and mins, where the type adds one); for codebook layouts ({CodebookLayouts}), the codes, scales and codebook.",
        };
        var kind = new Option<string?>("--kind")
        {
            Description = "Read the layer as this kind instead of the inferred one: Linear, Linear(in,out), Conv2d, " +
                "ConvTranspose2d(groups=2), LSTM, GRU, BatchNorm2d, LayerNorm, Embedding, … (PyTorch's class names).",
        };
        var layout = new Option<string?>("--layout")
        {
            Description = "Read a 2-D weight as 'out,in' (PyTorch's Linear) or 'in,out' (GPT-2's Conv1D, Keras, ONNX MatMul).",
        };
        var outgoing = new Option<bool>("--outgoing")
        {
            Description = "Also show the neuron's outgoing weights: channel j of every per-channel layer on the way (a BatchNorm) " +
                "and the slices of each consumer's weights that multiply its output.",
        };
        var consumers = new Option<string[]>("--consumer")
        {
            Description = "With --outgoing: the layer that reads this one's output, where the file cannot tell (repeatable); " +
                "it replaces the consumers found. A recurrent layer's own weight_hh is added unless you name the layer itself. A per-channel layer named too (a BatchNorm) is taken as on the way to the others.",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Also write the parts as NumPy arrays: an .npz of them all (keys weight, bias, weight_hh/forget, out/fc2.weight), or an .npy of one; " +
                "values exact, in the part's dtype where NumPy has it (quantized parts as their decoded values), else float32.",
            HelpName = "OUT.npz",
        };
        var part = new Option<string?>("--part")
        {
            Description = "With -o: only the parts named so: ROLE or ROLE:GATE (weight, bias, weight_hh:forget), or a key as -o lists it (out/fc2.weight).",
        };
        var loraBase = CommonOptions.Base();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("show", "Show neuron INDEX of LAYER: every slice of the layer's tensors that belongs to it, with its values.")
        {
            file, layer, index, json, full, raw, kind, layout, outgoing, consumers, loraBase, output, part, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            using var model = CommonOptions.Open(parse.GetValue(file)!, parse.GetValue(loraBase));
            var neuron = OutgoingParts.Add(model, model.Layer(parse.GetValue(layer)!, parse.GetValue(kind), parse.GetValue(layout)).Neuron(parse.GetValue(index)),
                parse.GetValue(outgoing), parse.GetValue(consumers) ?? []);
            if (OutgoingParts.Incomplete(model, neuron.Layer, parse.GetValue(outgoing), parse.GetValue(consumers) ?? []) is { } incomplete)
                stderr.WriteLine(incomplete);
            string? target = parse.GetValue(output);
            if (parse.GetValue(part) is not null && target is null) throw new RequestException("--part picks the parts -o writes; add -o OUT.npy");
            if (target is not null)
            {
                OutputFile.EnsureNotRead(target, model.Checkpoint.Files);
                var arrays = NeuronArrays.Of(parse.GetValue(part) is { } name ? NeuronArrays.Pick(neuron, name) : neuron.Parts);
                NeuronArrays.Save(arrays, target);
                if (!parse.GetValue(json))
                {
                    ArraysTextWriter.Write(stdout, neuron, arrays, target);
                    return;
                }
            }
            if (parse.GetValue(json))
                ReportJson.Write(stdout, ShowReport.Of(model, neuron));
            else
                ShowTextWriter.Write(stdout, model, neuron, parse.GetValue(full), parse.GetValue(raw));
            // --raw has integers to show only where the file keeps them affine per tensor or channel; say so rather than print nothing.
            if (parse.GetValue(raw) && !neuron.Parts.Any(p => p.HasStoredIntegers))
                stderr.WriteLine(neuron.Parts.FirstOrDefault(p => p.StoredAs is not null) is { } packed
                    ? $"note: --raw adds the stored integers of quantized tensors, of GPTQ's, AWQ's, compressed-tensors', BitNet's and MLX's affine packs and of {GgufRawTypes} blocks, and the codes of {CodebookLayouts}; {PrintableWriter.OneLine(packed.Tensor)} is stored as {packed.StoredAs} and shown as the values it decodes to" +
                      (model.Checkpoint.Find(packed.Tensor) is { StoredParts.Count: > 0 } ? " ('neuron tensors' lists the file's tensors it is read from)" : "")
                    : "note: --raw adds the stored integers of quantized tensors; this neuron's parts are stored as plain values");
        }));
        return command;
    }
}
