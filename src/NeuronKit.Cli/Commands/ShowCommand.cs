using System.CommandLine;
using NeuronKit.Cli.Output;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron show FILE LAYER INDEX</c>: every part of one neuron, with its values.</summary>
internal static class ShowCommand
{
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
        var kind = new Option<string?>("--kind")
        {
            Description = "Read the layer as this kind instead of the inferred one (Linear, Conv2d, ConvTranspose2d, LSTM, …).",
        };
        var verbose = CommonOptions.Verbose();
        var command = new Command("show", "Show neuron INDEX of LAYER: every slice of the layer's tensors that belongs to it, with its values.")
        {
            file, layer, index, json, full, kind, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), () =>
        {
            using var model = Model.Open(parse.GetValue(file)!);
            var neuron = model.Layer(parse.GetValue(layer)!, parse.GetValue(kind)).Neuron(parse.GetValue(index));
            if (parse.GetValue(json))
                ShowJsonWriter.Write(stdout, model, neuron);
            else
                ShowTextWriter.Write(stdout, model, neuron, parse.GetValue(full));
        }));
        return command;
    }
}
