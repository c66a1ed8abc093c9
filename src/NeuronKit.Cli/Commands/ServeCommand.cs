using System.CommandLine;
using System.Net;
using NeuronKit.Web;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron serve FILE…</c>: the local web view of the files, until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "The checkpoints to serve; the page and /api/ reach these files only, by index or file name.",
            Arity = ArgumentArity.OneOrMore,
        };
        var port = new Option<int>("--port")
        {
            Description = "The port to listen on (default: a free one, printed at start).",
        };
        var host = new Option<string?>("--host")
        {
            Description = "The address to listen on (default 127.0.0.1, this machine only); another one lets others read the served files.",
        };
        var inputs = new Option<string?>("--inputs")
        {
            Description = "A folder of inputs (.npy, .png, .jpg): an ONNX model's neuron page shows the ones that activate it most.",
            HelpName = "DIR",
        };
        var loraBase = CommonOptions.Base("Serve each LoRA adapter among the files (PEFT's folder or file, a llama.cpp adapter GGUF) merged into this base model; other files as they are.");
        var preprocess = CommonOptions.Preprocess();
        var layout = CommonOptions.Layout();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("serve", "Serve a local web view of the files: layers, stats, neurons with their pictures, and /api/ with the CLI's JSON.")
        {
            files, port, host, inputs, loraBase, preprocess, layout, verbose, statsRequests,
        };
        command.SetAction((parse, cancel) => CommandRunner.RunAsync(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), async () =>
        {
            var options = new ServeOptions(Address(parse.GetValue(host)), parse.GetValue(port))
            {
                Inputs = parse.GetValue(inputs) is { } folder ? new InputGallery(folder, CommonOptions.Images(parse, preprocess, layout)) : null,
            };
            if (options.Port is < 0 or > 65535) throw new RequestException($"--port {options.Port} is not a port (0..65535)");
            await using var server = await NeuronServer.StartAsync(new ServedFiles(parse.GetValue(files)!, parse.GetValue(loraBase)), options, cancel);
            if (!options.IsLoopback)
                stderr.WriteLine($"warning: listening on {options.Address}: anyone who can reach this machine on port {server.Url.Port} can read the served files");
            stdout.WriteLine($"NeuronKit serving on {server.Url}");
            stdout.Flush(); // whoever started the server waits for this line
            await server.WaitForShutdownAsync(cancel);
        }));
        return command;
    }

    private static IPAddress Address(string? host) => host switch
    {
        null => IPAddress.Loopback,
        "localhost" => IPAddress.Loopback,
        _ when IPAddress.TryParse(host, out var address) => address,
        _ => throw new RequestException($"--host {host} is not an IP address", ["--host 0.0.0.0 listens on every interface; leave it out for this machine only"]),
    };
}
