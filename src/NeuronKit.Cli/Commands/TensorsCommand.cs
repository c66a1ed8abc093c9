using System.CommandLine;
using NeuronKit.Cli.Output;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron tensors FILE</c>: every tensor as stored, with no layer interpretation.</summary>
internal static class TensorsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = CommonOptions.File();
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("tensors", "List every tensor of the file: name, shape, dtype and byte size.")
        {
            file, json, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            using var checkpoint = Formats.CheckpointFormats.Open(parse.GetValue(file)!);
            if (parse.GetValue(json))
                ReportJson.Write(stdout, TensorsReport.Of(checkpoint));
            else
                TensorsTextWriter.Write(stdout, checkpoint);
        }));
        return command;
    }
}
