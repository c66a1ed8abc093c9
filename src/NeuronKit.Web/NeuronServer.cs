using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NeuronKit.Web;

/// <summary>
/// The web view: Kestrel on one address, serving the page (embedded, no CDN) and <c>/api/</c> for the files it was
/// given, nothing else. Each model is opened once and read by requests in parallel, and opened again when its file changes.
/// </summary>
public sealed class NeuronServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NeuronServer(WebApplication app, ServedFiles files, Uri url)
    {
        _app = app;
        Files = files;
        Url = url;
    }

    /// <summary>The files served.</summary>
    public ServedFiles Files { get; }

    /// <summary>The page's address, <c>http://127.0.0.1:N/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Starts serving <paramref name="files"/> (which the server then owns) as <paramref name="options"/> say.</summary>
    public static async Task<NeuronServer> StartAsync(ServedFiles files, ServeOptions options, CancellationToken cancel = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "neuron" });
        builder.Logging.ClearProviders();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Address, options.Port);
        });
        var app = builder.Build();
        app.Use(HostHeaderCheck.Invoke);
        app.Use(FailuresAsErrors);
        PageEndpoints.Map(app);
        ApiEndpoints.Map(app, files, options);
        try
        {
            await app.StartAsync(cancel);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new RequestException($"cannot listen on {options.Address}:{options.Port}: {e.Message}",
                ["pick another --port, or leave it out to take a free one"]);
        }
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        string shown = options.Address.Equals(IPAddress.Any) || options.Address.Equals(IPAddress.IPv6Any)
            ? "127.0.0.1" : bound.Host;
        var url = new Uri($"http://{shown}:{bound.Port}/");
        return new NeuronServer(app, files, url);
    }

    /// <summary>Waits until the server is stopped (Ctrl+C, SIGTERM, or <paramref name="cancel"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel = default) => _app.WaitForShutdownAsync(cancel);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Files.Dispose(); // and with each model, its ONNX Runtime run for --inputs
    }

    // A NeuronKit error is the request's or the file's fault, answered with its text; anything else is ours, answered
    // without details (the process keeps serving).
    private static async Task FailuresAsErrors(HttpContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (NeuronKitException e) when (!context.Response.HasStarted)
        {
            await ApiError.Write(context, ApiError.StatusOf(e), e.Message, e.Hints);
        }
        catch (ResponseTooLargeException e) when (!context.Response.HasStarted)
        {
            await ApiError.Write(context, StatusCodes.Status413PayloadTooLarge, e.Message, e.Hints);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            await ApiError.Write(context, StatusCodes.Status500InternalServerError,
                $"internal error: {e.GetType().Name}", ["this is a bug in NeuronKit; run the same query with the neuron CLI and --verbose, and report it"]);
        }
    }
}
