using System.CommandLine;
using NeuronKit.Views.Pictures;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron render FILE LAYER [INDEX] -o OUT.png</c>: a neuron or a whole layer as a PNG picture.</summary>
internal static class RenderCommand
{
    public static Command Create(TextWriter stderr)
    {
        var file = CommonOptions.File();
        var layer = new Argument<string>("LAYER")
        {
            Description = "The layer as 'neuron layers' lists it (fc, conv1, rnn.l0), or any of its tensors' names.",
        };
        var index = new Argument<long?>("INDEX")
        {
            Description = "The neuron to draw (negative counts from the end); without it, the whole layer: a mosaic of its filters or its weights as heatmaps.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var output = new Option<string>("--output", "-o") { Description = "The PNG file to write (a new file, or over one).", Required = true, HelpName = "OUT.png" };
        var scale = new Option<int?>("--scale") { Description = "Pixels per weight (default: the largest image about 512 pixels wide).", HelpName = "N" };
        var rgb = new Option<bool>("--rgb") { Description = "Draw a filter of 3 input channels as one RGB image instead of three." };
        var shape = new Option<string?>("--shape") { Description = "Reshape rows of H·W weights into H × W images, e.g. 28,28 for an MNIST first layer.", HelpName = "H,W" };
        var hist = new Option<bool>("--hist") { Description = "Without INDEX: histograms of the layer's weights and of its neurons' L2 norms." };
        var outgoing = new Option<bool>("--outgoing")
        {
            Description = "Also draw the neuron's outgoing weights, as 'neuron show --outgoing' gives them.",
        };
        var consumers = new Option<string[]>("--consumer")
        {
            Description = "With --outgoing: the layer that reads this one's output, where the file cannot tell (repeatable). A per-channel layer named too (a BatchNorm) is taken as on the way to the others.",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "LAYER",
        };
        var loraBase = CommonOptions.Base();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("render", "Draw neuron INDEX of LAYER, or the whole layer, as a PNG picture.")
        {
            file, layer, index, output, scale, rgb, shape, hist, outgoing, consumers, loraBase, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            var options = PictureOptions.From(parse.GetValue(scale), parse.GetValue(rgb), parse.GetValue(shape), parse.GetValue(hist));
            long? neuronIndex = parse.GetValue(index);
            string[] named = parse.GetValue(consumers) ?? [];
            if (neuronIndex is null && parse.GetValue(outgoing))
                throw new RequestException("--outgoing draws a neuron's outgoing weights; give INDEX");
            using var model = CommonOptions.Open(parse.GetValue(file)!, parse.GetValue(loraBase));
            OutputFile.EnsureNotRead(parse.GetValue(output)!, model.Checkpoint.Files);
            var target = model.Layer(parse.GetValue(layer)!);
            using var picture = neuronIndex is { } j
                ? NeuronPicture.Draw(model, OutgoingParts.Add(model, target.Neuron(j), parse.GetValue(outgoing), named), options)
                : LayerPicture.Draw(model, target, options);
            picture.Save(parse.GetValue(output)!);
        }));
        return command;
    }
}
