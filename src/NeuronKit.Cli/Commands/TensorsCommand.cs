using System.CommandLine;
using NeuronKit.Cli.Output;
using NeuronKit.Export;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron tensors FILE</c>: every tensor as stored, with no layer interpretation.</summary>
internal static class TensorsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = CommonOptions.File();
        var json = CommonOptions.Json();
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Also write the tensors as NumPy arrays: an .npz of them all (or of those --tensor names), or an .npy of one; " +
                "values exact, as show -o saves a neuron's (quantized tensors as their decoded values).",
            HelpName = "OUT.npz",
        };
        var names = new Option<string[]>("--tensor")
        {
            Description = "With -o: only this tensor, as the list names it (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("tensors", "List every tensor of the file: name, shape, dtype and byte size.")
        {
            file, json, output, names, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            using var checkpoint = Formats.CheckpointFormats.Open(parse.GetValue(file)!);
            string[] named = parse.GetValue(names) ?? [];
            if (named.Length > 0 && parse.GetValue(output) is null) throw new RequestException("--tensor picks the tensors -o writes; add -o OUT.npz");
            if (parse.GetValue(output) is { } target)
            {
                OutputFile.EnsureNotRead(target, checkpoint.Files);
                var tensors = named.Length == 0 ? checkpoint.Tensors : TensorArrays.Named(checkpoint, named);
                TensorArrays.Save(tensors, target);
                if (!parse.GetValue(json))
                {
                    stdout.WriteLine($"{Counted.Of(tensors.Count, "tensor")} of {checkpoint.FileName} → {target}");
                    return;
                }
            }
            if (parse.GetValue(json))
                ReportJson.Write(stdout, TensorsReport.Of(checkpoint));
            else
                TensorsTextWriter.Write(stdout, checkpoint);
        }));
        return command;
    }
}
