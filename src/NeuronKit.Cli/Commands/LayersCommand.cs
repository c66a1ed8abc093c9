using System.CommandLine;
using NeuronKit.Cli.Output;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron layers FILE</c>: every layer with its kind, neurons, tensors, layout and evidence.</summary>
internal static class LayersCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = CommonOptions.File();
        var json = CommonOptions.Json();
        var loraBase = CommonOptions.Base();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("layers", "List every layer: name, kind, neurons, tensors (name, shape, dtype), layout and the evidence that decided it.")
        {
            file, json, loraBase, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            using var model = CommonOptions.Open(parse.GetValue(file)!, parse.GetValue(loraBase));
            if (parse.GetValue(json))
                ReportJson.Write(stdout, LayersReport.Of(model));
            else
                LayersTextWriter.Write(stdout, model);
        }));
        return command;
    }
}
