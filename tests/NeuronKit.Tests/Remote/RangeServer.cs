using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// Kestrel on 127.0.0.1 serving tests/fixtures under <c>/f/</c> and a temporary folder under <c>/t/</c> with ASP.NET Core's
/// static files (Range, 206, Content-Range, ETag), plus prefixes that misbehave on purpose:
/// <c>/ignore-ranges/…</c> drops the Range header (a 200 with the whole body), <c>/flaky/…</c> answers every other request
/// 500, <c>/cut-short/…</c> cuts the second answer of each file short, <c>/always-cut/…</c> cuts every ranged answer short,
/// <c>/stall/…</c> never answers, <c>/shifted/…</c> answers every range from byte 1 on, <c>/redirect/…</c> redirects to the same file on <c>localhost</c> (another host than 127.0.0.1),
/// <c>/redirect-here/…</c> to the same file on this host, <c>/signed/…</c> to <c>/sig/N/…</c>, a signed address that answers 403
/// once <see cref="ExpireSignatures"/> has made N old (as a CDN's presigned URL does), <c>/forbidden/…</c> answers 403 whatever it is sent,
/// <c>/retry-after-date/…</c> answers a file's first request 503 with a Retry-After date 3 s ahead, <c>/gzip/…</c> gzips every ranged
/// answer (Content-Encoding: gzip, unasked) and <c>/gzip-later/…</c> every one after the first. Counts requests and
/// body bytes, and keeps the Authorization header each host was sent.
/// </summary>
internal sealed class RangeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _seen = new();
    private long _requests;
    private long _bytes;
    private long _signature;

    private RangeServer(WebApplication app, string folder)
    {
        _app = app;
        Folder = folder;
    }

    /// <summary>The temporary folder served under <c>/t/</c>; removed on dispose.</summary>
    public string Folder { get; }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>Requests answered so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Body bytes announced in answers so far (Content-Length of each).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The path of every request, in order.</summary>
    public ConcurrentQueue<string> Paths { get; } = new();

    /// <summary>(host, Authorization header or "") of every request, in order.</summary>
    public ConcurrentQueue<(string Host, string Authorization)> Authorizations { get; } = new();

    /// <summary>Makes every <c>/sig/N/…</c> address handed out so far answer 403, as an expired signature does.</summary>
    public void ExpireSignatures() => Interlocked.Increment(ref _signature);

    /// <summary>The URL of <paramref name="path"/> (e.g. <c>f/pytorch/seed.pt</c>).</summary>
    public string Url(string path) => new Uri(Root, path).AbsoluteUri;

    public static async Task<RangeServer> Start()
    {
        string folder = Directory.CreateTempSubdirectory("neuronkit-remote-").FullName;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new RangeServer(app, folder);
        app.Use(server.Misbehave);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Fixtures.Path("")), RequestPath = "/f", ServeUnknownFileTypes = true,
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder), RequestPath = "/t", ServeUnknownFileTypes = true,
        });
        await app.StartAsync();
        server.Root = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return server;
    }

    private async Task Misbehave(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref _requests);
        Paths.Enqueue(context.Request.Path.Value ?? "");
        Authorizations.Enqueue((context.Request.Host.Host, context.Request.Headers.Authorization.ToString()));
        context.Response.OnStarting(() =>
        {
            Interlocked.Add(ref _bytes, context.Response.ContentLength ?? 0);
            return Task.CompletedTask;
        });
        string path = context.Request.Path.Value ?? "";
        int slash = path.IndexOf('/', 1);
        if (slash < 0)
        {
            await next(context);
            return;
        }
        string prefix = path[1..slash], rest = path[slash..];
        int seen = _seen.AddOrUpdate(path, 1, (_, n) => n + 1);
        switch (prefix)
        {
            case "ignore-ranges":
                context.Request.Headers.Range = default;
                context.Request.Path = rest;
                break;
            case "flaky" when seen % 2 == 1:
                context.Response.StatusCode = 500;
                return;
            case "flaky":
                context.Request.Path = rest;
                break;
            case "cut-short" when seen == 2:
            case "always-cut" when context.Request.Headers.Range.Count > 0 && seen > 1:
                await CutShort(context, rest);
                return;
            case "cut-short" or "always-cut":
                context.Request.Path = rest;
                break;
            case "shifted":
                await Shifted(context, rest);
                return;
            case "stall":
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            case "retry-after-date" when seen == 1:
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = DateTimeOffset.UtcNow.AddSeconds(3).ToString("R");
                return;
            case "gzip" when context.Request.Headers.Range.Count > 0:
            case "gzip-later" when context.Request.Headers.Range.Count > 0 && seen > 1:
                await Gzipped(context, rest);
                return;
            case "retry-after-date" or "gzip" or "gzip-later":
                context.Request.Path = rest;
                break;
            case "redirect":
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = $"http://localhost:{Root.Port}{rest}{context.Request.QueryString}";
                return;
            case "redirect-here":
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = rest;
                return;
            case "signed":
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = $"/sig/{Interlocked.Read(ref _signature)}{rest}";
                return;
            case "forbidden":
                context.Response.StatusCode = 403;
                return;
            case "sig":
                int end = rest.IndexOf('/', 1);
                if (rest[1..end] != Interlocked.Read(ref _signature).ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    context.Response.StatusCode = 403;
                    return;
                }
                context.Request.Path = rest[end..];
                break;
        }
        await next(context);
    }

    // A 206 of the file from byte 1 on, whatever range was asked for, its Content-Range saying so.
    private async Task Shifted(HttpContext context, string path)
    {
        var bytes = File.ReadAllBytes(FileOf(path))[1..];
        context.Response.StatusCode = 206;
        context.Response.ContentLength = bytes.Length;
        context.Response.Headers.ContentRange = $"bytes 1-{bytes.Length}/{bytes.Length + 1}";
        await context.Response.Body.WriteAsync(bytes);
    }

    private string FileOf(string path) => path.StartsWith("/t/", StringComparison.Ordinal) ? Path.Combine(Folder, path[3..]) : Fixtures.Path(path[3..]);

    // A 206 that promises the whole range and sends half of it, then drops the connection.
    private async Task CutShort(HttpContext context, string path)
    {
        var (bytes, contentRange) = RangeOf(context, path);
        context.Response.StatusCode = 206;
        context.Response.ContentLength = bytes.Length;
        context.Response.Headers.ContentRange = contentRange;
        await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
        await context.Response.Body.FlushAsync();
        context.Abort();
    }

    // A 206 for the range asked, its bytes gzipped on the fly as a server compressing everything it sends does.
    private async Task Gzipped(HttpContext context, string path)
    {
        var (bytes, contentRange) = RangeOf(context, path);
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(bytes);
        context.Response.StatusCode = 206;
        context.Response.ContentLength = compressed.Length;
        context.Response.Headers.ContentRange = contentRange;
        context.Response.Headers.ContentEncoding = "gzip";
        await context.Response.Body.WriteAsync(compressed.ToArray());
    }

    // The bytes of the request's range of the file at path, and the Content-Range that says which they are.
    private (byte[] Bytes, string ContentRange) RangeOf(HttpContext context, string path)
    {
        string file = FileOf(path);
        var range = System.Net.Http.Headers.RangeHeaderValue.Parse(context.Request.Headers.Range.ToString()).Ranges.Single();
        long length = new FileInfo(file).Length, from = range.From!.Value, to = Math.Min(range.To!.Value, length - 1);
        var bytes = new byte[to - from + 1];
        using (var stream = File.OpenRead(file))
        {
            stream.Position = from;
            stream.ReadExactly(bytes);
        }
        return (bytes, $"bytes {from}-{to}/{length}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
