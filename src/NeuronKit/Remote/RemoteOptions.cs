namespace NeuronKit.Remote;

/// <summary>How files are read over HTTP: timeouts, retries, redirects, and what may be held in memory.</summary>
public sealed record RemoteOptions
{
    /// <summary>The options <see cref="Model.Open(string)"/> uses for a URL.</summary>
    public static RemoteOptions Default { get; } = new();

    /// <summary>How long a request may wait for its response to start, or for its body's next bytes, before it fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a request is tried again after a transient failure (a 5xx, a 429, a dropped or short response).</summary>
    public int Retries { get; init; } = 4;

    /// <summary>The wait before the first retry; each further retry waits twice as long.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many redirects one request may follow.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>
    /// The largest file accepted from a server that ignores ranges and answers with the whole body (HTTP 200); a larger one
    /// is refused rather than downloaded by surprise.
    /// </summary>
    public long WholeBodyLimit { get; init; } = 8 << 20;

    /// <summary>The bytes of recently read ranges kept in memory, so neighbouring reads cost no request.</summary>
    public long CacheBytes { get; init; } = 64 << 20;
}
