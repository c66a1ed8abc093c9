using NeuronKit.Tensors;

namespace NeuronKit.Remote;

/// <summary>
/// The bytes of a file on an HTTP server, read by range requests as readers ask for them. Opening the same URL again
/// while it is open (format detection, then the reader; two models of one file) with the same options and token shares
/// one session: one first request, one cache, one length and ETag every answer is checked against. Other options or
/// another token open a session of their own, and so does any open after the session's file was found changed.
/// </summary>
public sealed class HttpRangeSource : ByteSource
{
    // Reads of at least this many bytes that no cached range holds go straight into the caller's buffer.
    private const int DirectRead = 1 << 20;

    private static readonly Dictionary<SessionKey, Shared> Sessions = [];

    // The options of opens that name none, while Model.Open(url, options) opens a file and what it reads with it.
    private static readonly AsyncLocal<RemoteOptions?> Given = new();

    private readonly Shared _shared;
    private bool _disposed;

    // What a session is shared by: everything that changes what is asked for and what is sent.
    private readonly record struct SessionKey(string Url, RemoteOptions Options, string? Token);

    private sealed class Shared(Lazy<RemoteFile> file)
    {
        public Lazy<RemoteFile> File { get; } = file;
        public int Users { get; set; } = 1;
        public bool Changed => File.IsValueCreated && File.Value.Changed;
    }

    private sealed class GivenScope(RemoteOptions? outer) : IDisposable
    {
        public void Dispose() => Given.Value = outer;
    }

    private HttpRangeSource(Shared shared) => _shared = shared;

    private RemoteFile File => _shared.File.Value;

    /// <summary>
    /// Opens <paramref name="url"/> (http or https) with <paramref name="options"/> (else those <see cref="Use"/> gives, else
    /// the defaults) and the token the environment holds now, or joins the open session of the same.
    /// </summary>
    public static HttpRangeSource Open(Uri url, RemoteOptions? options = null)
    {
        options ??= Given.Value ?? RemoteOptions.Default;
        var token = BearerTokens.For(url);
        var key = new SessionKey(url.AbsoluteUri, options, token?.Token);
        Shared shared;
        lock (Sessions)
        {
            // A session whose file changed keeps failing for those already reading it; a new open reads the file afresh.
            if (Sessions.TryGetValue(key, out var open) && !open.Changed) open.Users++;
            else Sessions[key] = open = new Shared(new(() => RemoteFile.Open(url, options, token), LazyThreadSafetyMode.ExecutionAndPublication));
            shared = open;
        }
        var source = new HttpRangeSource(shared);
        try
        {
            _ = source.File;
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="options"/> those of every open on this thread's flow that names none, until disposed: what
    /// <see cref="Model.Open(string, RemoteOptions)"/> reads the file, and the shards or external data beside it, with.
    /// </summary>
    internal static IDisposable Use(RemoteOptions options)
    {
        var scope = new GivenScope(Given.Value);
        Given.Value = options;
        return scope;
    }

    /// <summary>The file's name (the URL's last segment).</summary>
    public string Name => File.Name;

    /// <summary>The URL without its query, for messages.</summary>
    public string Address => File.Address;

    /// <summary>The requests and bytes this file has cost so far.</summary>
    public RemoteTraffic Traffic => File.Traffic;

    /// <inheritdoc/>
    public override long Length => File.Length;

    /// <inheritdoc/>
    public override bool Changed => _shared.Changed;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(offset, length);
        return length == 0 ? [] : File.Span(offset, length);
    }

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(offset, destination.Length);
        if (destination.Length >= DirectRead) File.Fetch(offset, destination);
        else if (destination.Length > 0) File.Span(offset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, NeuronKit.Edits.PatchSet patches) => throw NotLocal(Name, "edit");

    /// <summary>The refusal of work that needs the file on this machine (an edit, a prune, ONNX Runtime).</summary>
    public static RequestException NotLocal(string name, string what) =>
        new($"{name} was opened by URL, and {what} needs it as a local file", [$"download it first (curl -L -o {name} URL), then {what} the file"]);

    /// <inheritdoc/>
    public override bool PrefetchPays => true;

    /// <inheritdoc/>
    public override void Prefetch(IReadOnlyList<(long Offset, int Length)> ranges)
    {
        if (!_disposed) File.Prefetch([.. ranges.Where(r => r.Offset >= 0 && r.Length > 0 && r.Offset <= Length - r.Length)]);
    }

    /// <inheritdoc/>
    public override void Release(long offset, long length)
    {
        if (!_disposed && _shared.File.IsValueCreated) File.Drop(offset, length);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (Sessions)
        {
            if (--_shared.Users == 0)
                foreach (var (key, value) in Sessions)
                    if (value == _shared)
                    {
                        Sessions.Remove(key);
                        break;
                    }
        }
        base.Dispose();
    }
}
