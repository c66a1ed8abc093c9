using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NeuronKit.Activations;
using NeuronKit.Export;
using NeuronKit.Stats;
using NeuronKit.Views.Pictures;
using NeuronKit.Views.Reports;

namespace NeuronKit.Web;

/// <summary>
/// <c>/api/</c>: the CLI's JSON for the served files, byte for byte what <c>neuron layers|show|stats … --json</c>
/// prints (<see cref="ReportJson"/> writes both), the PNG <c>neuron render</c> draws and the .npz <c>neuron show -o</c>
/// writes. Parameters are the CLI's arguments by name: <c>/api/show?file=0&amp;layer=fc&amp;neuron=3&amp;outgoing=true</c>.
/// </summary>
internal static class ApiEndpoints
{
    public static void Map(WebApplication app, ServedFiles files, ServeOptions options)
    {
        app.MapGet("/api/files", context => Json(context, FilesJson(files)));
        app.MapGet("/api/layers", async context =>
        {
            using var lease = files.Find(context.Request.Query["file"]).Lease();
            await Report(context, LayersReport.Of(lease.Model));
        });
        app.MapGet("/api/show", async context =>
        {
            using var lease = files.Find(context.Request.Query["file"]).Lease();
            var neuron = Shown(context.Request.Query, lease.Model, options, "neuron show FILE LAYER INDEX --json");
            await Report(context, ShowReport.Of(lease.Model, neuron));
        });
        app.MapGet("/api/npz", async context =>
        {
            using var lease = files.Find(context.Request.Query["file"]).Lease();
            await Npz(context, Shown(context.Request.Query, lease.Model, options, "neuron show FILE LAYER INDEX -o OUT.npz"));
        });
        app.MapGet("/api/render", context => Render(context, files));
        app.MapGet("/api/inputs", context => Json(context, InputsJson(options.Inputs)));
        app.MapGet("/api/input", context => Input(context, options.Inputs));
        app.MapGet("/api/top", context => Top(context, files, options.Inputs));
        app.MapGet("/api/stats", async context =>
        {
            var query = context.Request.Query;
            using var lease = files.Find(query["file"]).Lease();
            var model = lease.Model;
            int? top = Optional(query, "top") is { } text ? Integer(text, "top") : null;
            var order = StatsOrder.Parse(Optional(query, "sort"), top);
            string? name = Optional(query, "layer");
            var layers = ModelStats.LayersFor(model, name);
            long rows = layers.Sum(l => Math.Min(l.NeuronCount, top ?? long.MaxValue));
            if (rows > options.MaxRows)
                throw new ResponseTooLargeException($"{(name is null ? "the model" : $"'{name}'")} has {rows:N0} neurons, more than the {options.MaxRows:N0} rows one answer carries",
                    ["ask for the first of them in an order: top=1000&sort=l2 (as neuron stats --top --sort)"]);
            var stats = ModelStats.Compute(model, layers, new StatsOptions { Outgoing = Flag(query, "outgoing") });
            await Report(context, StatsReport.Of(stats, order));
        });
    }

    // The neuron of model a show request asks for (outgoing=true adds its outgoing parts), if one answer may carry its values.
    private static Neurons.Neuron Shown(IQueryCollection query, Model model, ServeOptions options, string cli)
    {
        var neuron = model.Layer(Required(query, "layer"), Optional(query, "kind"), Optional(query, "layout")).Neuron(Index(query, "neuron"));
        neuron = Outgoing(query, model, neuron);
        long values = neuron.Parts.Sum(p => p.Shape.Aggregate(1L, (n, d) => n * d));
        if (values > options.MaxValues)
            throw new ResponseTooLargeException($"neuron {neuron.Index} of '{neuron.Layer.Name}' has {values:N0} values, more than the " +
                $"{options.MaxValues:N0} one answer carries", [$"read it with the CLI: {cli}{(Flag(query, "outgoing") ? " --outgoing" : "")}"]);
        return neuron;
    }

    // The .npz neuron show -o writes, byte for byte, as a download named after the layer and the neuron.
    private static async Task Npz(HttpContext context, Neurons.Neuron neuron)
    {
        using var buffer = new MemoryStream();
        NeuronArrays.WriteNpz(buffer, NeuronArrays.Of(neuron.Parts));
        string name = new([.. $"{neuron.Layer.Name}_{neuron.Index}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]);
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.npz\"";
        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body);
    }

    // The picture neuron render draws, as PNG: a neuron (neuron=J) or the whole layer, with render's options by name.
    private static async Task Render(HttpContext context, ServedFiles files)
    {
        var query = context.Request.Query;
        using var lease = files.Find(query["file"]).Lease();
        var model = lease.Model;
        var layer = model.Layer(Required(query, "layer"));
        var options = PictureOptions.From(Optional(query, "scale") is { } scale ? Integer(scale, "scale") : null, Flag(query, "rgb"),
            Optional(query, "shape"), Flag(query, "hist"), "scale", "shape");
        long? index = Optional(query, "neuron") is { } text ? LongInteger(text, "neuron") : null;
        if (index is null && Flag(query, "outgoing")) throw new RequestException("outgoing= draws a neuron's outgoing weights; add neuron=");
        using var picture = index is { } j
            ? NeuronPicture.Draw(model, Outgoing(query, model, layer.Neuron(j)), options)
            : LayerPicture.Draw(model, layer, options);
        byte[] png = picture.ToPng();
        context.Response.ContentType = "image/png";
        await context.Response.Body.WriteAsync(png);
    }

    // neuron act MODEL LAYER INDEX --inputs DIR --top K --json for the folder serve was given, with its --preprocess.
    private static Task Top(HttpContext context, ServedFiles files, InputGallery? inputs)
    {
        var query = context.Request.Query;
        if (inputs is null) throw new RequestException("the server was started without --inputs DIR: it has no inputs to run");
        var file = files.Find(query["file"]);
        string layer = Required(query, "layer");
        int k = Optional(query, "k") is { } text ? Integer(text, "k") : 10;
        if (k is < 1 or > 100) throw new RequestException($"k={k}: ask for 1 to 100 inputs");
        var by = Optional(query, "by") is { } name
            ? ActivationScores.Parse(name) ?? throw new RequestException($"by={name}: rank by {string.Join(" or ", ActivationScores.Names)}")
            : ActivationScore.Max;
        var (top, count) = inputs.Top(file, layer, Index(query, "neuron"), k, by, Flag(query, "post"));
        return Report(context, new TopActivationsReport(layer, top.Count > 0 ? top[0].Neuron : Index(query, "neuron"), by.Name(), count,
            [.. top.Select(a => new RankedInputReport(a.Input, a.Score(by), a.Mean, a.Max))]));
    }

    // One of the --inputs pictures, by file name, for the page to show beside its activation.
    private static async Task Input(HttpContext context, InputGallery? inputs)
    {
        if (inputs is null) throw new RequestException("the server was started without --inputs DIR");
        string path = inputs.Find(Optional(context.Request.Query, "name"));
        string? type = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            _ => null,
        };
        if (type is null) throw new RequestException($"{Path.GetFileName(path)} is not a picture");
        context.Response.ContentType = type;
        await context.Response.SendFileAsync(path);
    }

    private static string InputsJson(InputGallery? inputs) => System.Text.Json.JsonSerializer.Serialize(
        inputs?.Files.Select(Path.GetFileName).ToList() ?? [], WebJsonContext.Default.ListString);

    // outgoing=true adds the neuron's outgoing parts, through the consumers named by consumer= (repeatable) if any.
    private static Neurons.Neuron Outgoing(IQueryCollection query, Model model, Neurons.Neuron neuron)
    {
        string[] consumers = [.. query["consumer"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!)];
        if (Flag(query, "outgoing")) return model.WithOutgoing(neuron, consumers);
        return consumers.Length == 0 ? neuron : throw new RequestException("consumer= names the consumers of outgoing=; add outgoing=true");
    }

    private static string FilesJson(ServedFiles files) => System.Text.Json.JsonSerializer.Serialize(
        files.All.Select(f => new ServedFileJson(f.Index, f.Name)).ToList(), WebJsonContext.Default.ListServedFileJson);

    // The report is written to memory first: Kestrel's response body takes no synchronous writes, and a failure half
    // way must still be able to answer with its error instead of half a JSON object.
    private static async Task Report(HttpContext context, IReport report)
    {
        using var buffer = new MemoryStream();
        ReportJson.Write(buffer, report);
        context.Response.ContentType = "application/json; charset=utf-8";
        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body);
    }

    private static Task Json(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json + "\n");
    }

    // Present, even empty: a layer named "" is a model's root module, as on the command line.
    private static string Required(IQueryCollection query, string name) => query[name] switch
    {
        [] => throw new RequestException($"the request has no {name}=: add it"),
        [{ } one] => one,
        _ => throw new RequestException($"{name}= is given {query[name].Count} times; give it once"),
    };

    private static string? Optional(IQueryCollection query, string name) => query[name] switch
    {
        [] => null,
        [{ Length: > 0 } one] => one,
        [_] => null,
        _ => throw new RequestException($"{name}= is given {query[name].Count} times; give it once"),
    };

    private static long Index(IQueryCollection query, string name) => LongInteger(Required(query, name), name);

    private static int Integer(string text, string name) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new RequestException($"{name}={text} is not an integer");

    // A neuron's index as the CLI takes it: any 64-bit integer, so that one past a layer's end says so, as the CLI does.
    private static long LongInteger(string text, string name) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new RequestException($"{name}={text} is not an integer");

    private static bool Flag(IQueryCollection query, string name) => Optional(query, name) switch
    {
        null or "0" or "false" => false,
        "1" or "true" or "" => true,
        string other => throw new RequestException($"{name}={other} is neither true nor false"),
    };
}
