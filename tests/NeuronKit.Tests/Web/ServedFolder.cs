using NeuronKit.Web;

namespace NeuronKit.Tests.Web;

/// <summary>A <see cref="NeuronServer"/> on 127.0.0.1 and a free port, serving the given files, with a client for it.</summary>
internal sealed class ServedFolder : IAsyncDisposable
{
    private ServedFolder(NeuronServer server)
    {
        Server = server;
        Client = new HttpClient { BaseAddress = server.Url };
    }

    public NeuronServer Server { get; }

    public HttpClient Client { get; }

    public static async Task<ServedFolder> Start(IEnumerable<string> paths, ServeOptions? options = null, string? loraBase = null) =>
        new(await NeuronServer.StartAsync(new ServedFiles(paths, loraBase), options ?? ServeOptions.Local));

    /// <summary>GET <paramref name="path"/>: the status and the body as text.</summary>
    public async Task<(int Status, string Body)> Get(string path)
    {
        using var response = await Client.GetAsync(path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
