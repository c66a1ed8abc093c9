namespace NeuronKit.Remote;

/// <summary>Requests made and bytes received over HTTP: per remote file, and for the whole process (<c>--stats-requests</c>).</summary>
public sealed class RemoteTraffic
{
    private long _requests;
    private long _bytes;
    private long _fileBytes;

    /// <summary>Everything this process fetched over HTTP.</summary>
    public static RemoteTraffic Process { get; } = new();

    /// <summary>HTTP requests sent, redirects and retries included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Body bytes received.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The lengths of the remote files opened, added up: what downloading them would have cost.</summary>
    public long FileBytes => Interlocked.Read(ref _fileBytes);

    internal void AddFile(long length) => Interlocked.Add(ref _fileBytes, length);

    internal void AddRequest() => Interlocked.Increment(ref _requests);

    internal void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);
}
