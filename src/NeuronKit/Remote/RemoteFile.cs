using System.Net;
using System.Net.Http.Headers;

namespace NeuronKit.Remote;

/// <summary>
/// One file on an HTTP server, read by range requests (RFC 9110 §14): the first request learns its length and validator
/// (ETag, else Last-Modified); every later answer must be a 206 for exactly the range asked, of a file with the same
/// length and validator, so a file replaced on the server mid-read is an error and never mixed bytes. Small reads are
/// rounded out to pages and kept in a bounded cache; a read that continues the previous one fetches ahead, doubling up to
/// 16 MiB, so a scan streams in large ranges. Transient failures (5xx, 429, a dropped, stalled or short answer) are tried
/// again with exponential backoff. Safe to read from many threads.
/// </summary>
internal sealed class RemoteFile
{
    /// <summary>The first request's length: detection's head (64 KiB and a zip entry header) and most headers with it.</summary>
    public const int OpenBytes = 68 << 10;

    private const int Page = 4 << 10;
    private const int MinFetch = 4 << 10;
    private const int MaxReadAhead = 16 << 20;
    private const int PrefetchRequests = 8;
    private const int MergeGap = 64 << 10;

    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false, // followed by hand: the token must not follow a redirect to another host
        AutomaticDecompression = DecompressionMethods.None, // a compressed answer's bytes are not the range asked for
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan, // per request and per body read instead, see Send and ReadBody
        DefaultRequestHeaders = { UserAgent = { new ProductInfoHeaderValue("NeuronKit", "1.0") } },
    };

    private static readonly HashSet<HttpStatusCode> Transient =
    [
        HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    private readonly Uri _url;
    private readonly RemoteOptions _options;
    private readonly RangeCache _cache;
    private readonly (string Token, string Variable)? _token;
    private Uri _resolved;
    private bool _changed;
    private byte[]? _whole;
    private EntityTagHeaderValue? _etag;
    private DateTimeOffset? _lastModified;

    private RemoteFile(Uri url, RemoteOptions options, (string Token, string Variable)? token)
    {
        _url = url;
        _resolved = url;
        _options = options;
        _cache = new RangeCache(options.CacheBytes);
        _token = token;
        Name = Tensors.ByteSources.FileName(url.AbsoluteUri);
        Address = url.GetLeftPart(UriPartial.Path);
    }

    /// <summary>The file name, the URL's last segment, as messages and reports name the file.</summary>
    public string Name { get; }

    /// <summary>The URL without its query (which may carry a signature), for messages.</summary>
    public string Address { get; }

    /// <summary>The file's length in bytes, as the server first said.</summary>
    public long Length { get; private set; }

    /// <summary>What reading this file has cost.</summary>
    public RemoteTraffic Traffic { get; } = new();

    /// <summary>True once an answer showed the file changed on the server: every read since fails, and only opening it again reads the new file.</summary>
    public bool Changed => Volatile.Read(ref _changed);

    /// <summary>Opens <paramref name="url"/>, sending <paramref name="token"/> to its origin: one request, which also fetches the file's first bytes.</summary>
    public static RemoteFile Open(Uri url, RemoteOptions options, (string Token, string Variable)? token)
    {
        var file = new RemoteFile(url, options, token);
        file.Start();
        file.Traffic.AddFile(file.Length);
        RemoteTraffic.Process.AddFile(file.Length);
        return file;
    }

    /// <summary>The bytes [offset, offset + length), from the cache or one request.</summary>
    public ReadOnlySpan<byte> Span(long offset, int length)
    {
        if (_whole is not null) return _whole.AsSpan((int)offset, length);
        if (_cache.TryGet(offset, length, out var cached)) return cached.Span;
        var (start, end) = Plan(offset, length);
        var data = GC.AllocateUninitializedArray<byte>(checked((int)(end - start)));
        Fetch(start, data);
        _cache.Add(start, data);
        return data.AsSpan((int)(offset - start), length);
    }

    /// <summary>
    /// Fetches the ranges not cached yet, as <see cref="Span"/> would one by one, but several requests at a time; ranges
    /// less than 64 KiB apart are fetched as one (a column of a matrix: one request, not one per row), since a gap that
    /// small costs less to download than a round trip. A failure is left for the read that needs the bytes to report.
    /// </summary>
    public void Prefetch(IReadOnlyList<(long Offset, int Length)> ranges)
    {
        if (_whole is not null) return;
        var planned = ranges.Where(r => !_cache.TryGet(r.Offset, r.Length, out _)).Select(r => Plan(r.Offset, r.Length)).OrderBy(r => r.Start).ToList();
        var merged = new List<(long Start, long End)>();
        foreach (var range in planned)
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End + MergeGap && range.End - merged[^1].Start <= MaxReadAhead)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, range.End));
            else merged.Add(range);
        }
        Parallel.ForEach(merged, new ParallelOptions { MaxDegreeOfParallelism = PrefetchRequests }, range =>
        {
            var data = GC.AllocateUninitializedArray<byte>((int)(range.End - range.Start));
            try
            {
                Fetch(range.Start, data);
                _cache.Add(range.Start, data);
            }
            catch (CheckpointException)
            {
                // The read that needs these bytes fails with this error itself.
            }
        });
    }

    // The range a read of [offset, offset + length) fetches: whole pages, at least MinFetch, and further ahead, doubling,
    // when it continues a cached range (a sequential scan).
    private (long Start, long End) Plan(long offset, int length)
    {
        long start = offset / Page * Page;
        long end = Math.Min(Length, (offset + length + (long)Page - 1) / Page * Page);
        long ahead = Math.Clamp(2 * _cache.Continued(offset), MinFetch, MaxReadAhead);
        return (start, Math.Min(Length, Math.Max(end, start + ahead)));
    }

    /// <summary>Drops cached ranges inside [offset, offset + length).</summary>
    public void Drop(long offset, long length) => _cache.Drop(offset, length);

    private void Start()
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                StartOnce();
                return;
            }
            catch (TransientException e) when (attempt < _options.Retries)
            {
                Thread.Sleep(Delay(attempt, e.RetryAfter));
            }
            catch (TransientException e)
            {
                throw GaveUp(e);
            }
        }
    }

    private void StartOnce()
    {
        using var response = Send(0, OpenBytes);
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent:
                CheckNotEncoded(response);
                var range = response.Content.Headers.ContentRange;
                if (range?.Length is not { } total)
                    throw new CheckpointException($"{Address} answered a range request without the file's length (Content-Range: {range})");
                if (range.From != 0)
                    throw new CheckpointException($"{Address} answered a range request for bytes 0.. with bytes {range.From}.. (Content-Range: {range})");
                Length = total;
                _etag = response.Headers.ETag;
                _lastModified = response.Content.Headers.LastModified;
                var head = new byte[Math.Min(OpenBytes, total)];
                CheckRange(response, 0, head.Length);
                ReadBody(response, head);
                _cache.Add(0, head);
                return;
            case HttpStatusCode.OK:
                // The server ignores ranges: a small file is taken whole, a large one refused before its body is read.
                long? length = response.Content.Headers.ContentLength;
                if (length is not { } size || size > _options.WholeBodyLimit)
                    throw new CheckpointException($"{Address} is served without range requests (HTTP 200 with the whole " +
                        $"{(length is { } l ? $"{l:N0}-byte " : "")}file for a range request); refused rather than downloading it all",
                        ["download it (curl -L -o FILE URL) and open the file, or serve it from a server that honours Range (most do)"]);
                if (size == 0) throw new CheckpointException($"{Name} is empty (0 bytes)");
                CheckNotEncoded(response);
                var whole = new byte[size];
                ReadBody(response, whole);
                Length = size;
                _whole = whole;
                return;
            case HttpStatusCode.RequestedRangeNotSatisfiable when response.Content.Headers.ContentRange?.Length == 0:
                throw new CheckpointException($"{Name} is empty (0 bytes)");
            default:
                throw Failure(response);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>: one range request, tried again on transient failures.</summary>
    public void Fetch(long offset, Span<byte> destination)
    {
        if (_whole is not null)
        {
            _whole.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return;
        }
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var response = Send(offset, destination.Length);
                // A file cut shorter than the range asked answers 416 with its new length: that is a change, said as one.
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) CheckSameFile(response);
                if (response.StatusCode != HttpStatusCode.PartialContent) throw Failure(response);
                CheckNotEncoded(response);
                CheckSameFile(response);
                CheckRange(response, offset, destination.Length);
                ReadBody(response, destination);
                return;
            }
            catch (TransientException e) when (attempt < _options.Retries)
            {
                Thread.Sleep(Delay(attempt, e.RetryAfter));
            }
            catch (TransientException e)
            {
                throw GaveUp(e);
            }
        }
    }

    // One GET for a range. It starts where the last redirects led (a signed CDN address); should that answer as an
    // expired address does, the redirects are followed again from the URL given, once, and what that reaches is the answer.
    private HttpResponseMessage Send(long offset, int length)
    {
        var start = _resolved;
        var response = FollowRedirects(start, offset, length);
        if (start == _url || (int)response.StatusCode is not (401 or 403 or 404 or 410)) return response;
        response.Dispose();
        _resolved = _url;
        return FollowRedirects(_url, offset, length);
    }

    // GETs a range from start, following redirects by hand (at most MaxRedirects): the token goes only to the origin of
    // the URL given. The address that answers with the bytes is where the next request starts.
    private HttpResponseMessage FollowRedirects(Uri start, long offset, int length)
    {
        var target = start;
        for (int hop = 0; ; hop++)
        {
            var response = GetRange(target, offset, length);
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308))
            {
                if (response.IsSuccessStatusCode) _resolved = target;
                return response;
            }
            var location = response.Headers.Location;
            response.Dispose();
            if (location is null)
                throw new CheckpointException($"{Address} answered a redirect (HTTP {(int)response.StatusCode}) without a Location");
            if (hop == _options.MaxRedirects)
                throw new CheckpointException($"{Address} redirects more than {_options.MaxRedirects} times; refused");
            target = Redirects.Follow(target, location, Address);
        }
    }

    // One GET of a range from target, with the token when target is the URL given's origin; no answer in time is transient.
    private HttpResponseMessage GetRange(Uri target, long offset, int length)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Range = new RangeHeaderValue(offset, offset + length - 1);
        if (_token is { } token && SameOrigin(target, _url))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        HttpResponseMessage response;
        using (var timeout = new CancellationTokenSource(_options.Timeout))
        {
            try
            {
                response = Client.Send(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TransientException($"no answer within {_options.Timeout.TotalSeconds:0.#} s");
            }
            catch (HttpRequestException e)
            {
                // The inner exception says what happened ("Connection refused", "The response ended prematurely").
                throw new TransientException(e.InnerException?.Message ?? e.Message);
            }
        }
        Traffic.AddRequest();
        RemoteTraffic.Process.AddRequest();
        return response;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    // Reads exactly destination.Length body bytes; a body that ends early, or stalls for longer than the timeout, is transient.
    private void ReadBody(HttpResponseMessage response, Span<byte> destination)
    {
        using var stall = new CancellationTokenSource(_options.Timeout);
        using var abort = stall.Token.Register(response.Dispose);
        try
        {
            using var body = response.Content.ReadAsStream();
            for (int done = 0; done < destination.Length;)
            {
                int read = body.Read(destination[done..]);
                if (read == 0)
                    throw new TransientException($"the answer was cut short after {done:N0} of {destination.Length:N0} bytes");
                done += read;
                Traffic.AddBytes(read);
                RemoteTraffic.Process.AddBytes(read);
                stall.CancelAfter(_options.Timeout);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException)
        {
            throw new TransientException(stall.IsCancellationRequested
                ? $"no bytes for {_options.Timeout.TotalSeconds:0.#} s" : $"the answer broke off: {e.Message}");
        }
    }

    private void CheckRange(HttpResponseMessage response, long offset, int length)
    {
        var range = response.Content.Headers.ContentRange;
        if (range?.From != offset || range.To != offset + length - 1)
            throw new CheckpointException($"{Address} answered a request for bytes {offset:N0}..{offset + length - 1:N0} with " +
                $"Content-Range '{range}'; refused rather than reading the wrong bytes");
    }

    // No Accept-Encoding was sent, yet some servers compress anyway: those bytes (and a Content-Range over them) are not
    // the file's, and asking again gets the same, so it is refused at once.
    private void CheckNotEncoded(HttpResponseMessage response)
    {
        var codings = response.Content.Headers.ContentEncoding.Where(c => !c.Equals("identity", StringComparison.OrdinalIgnoreCase)).ToList();
        if (codings.Count > 0)
            throw new CheckpointException($"{Address} answered with Content-Encoding {string.Join(", ", codings)}: compressed bytes, not " +
                "the file's; refused rather than reading them as the file", ["serve the file without compression, or download it (curl -L -o FILE URL) and open the file"]);
    }

    // An answer without a validator cannot be compared (a proxy may drop it); one with a different validator is another file.
    private void CheckSameFile(HttpResponseMessage response)
    {
        long? total = response.Content.Headers.ContentRange?.Length;
        var etag = response.Headers.ETag;
        var modified = response.Content.Headers.LastModified;
        string? change =
            total != Length ? $"its length went from {Length:N0} to {(total is { } t ? $"{t:N0}" : "unknown")} bytes"
            : _etag is not null && etag is not null && !Equals(etag, _etag) ? $"its ETag went from {_etag} to {etag}"
            : _lastModified is not null && modified is not null && modified != _lastModified ? $"its Last-Modified went from {_lastModified:R} to {modified:R}"
            : null;
        if (change is null) return;
        // The cached bytes are the old file's: from now on every read asks the server, and fails as this one does.
        Volatile.Write(ref _changed, true);
        _cache.Drop(0, Length);
        throw new CheckpointException($"{Name} changed on the server while it was being read ({change}); nothing of the new " +
            "file was used", ["open it again"]);
    }

    // What an unexpected answer means: worth another try (a TransientException), or a CheckpointException that says why not.
    private Exception Failure(HttpResponseMessage response)
    {
        int status = (int)response.StatusCode;
        string answer = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        if (Transient.Contains(response.StatusCode))
            return new TransientException(answer, RetryAfter(response.Headers.RetryAfter));
        return status switch
        {
            401 or 403 => Refused(response.RequestMessage?.RequestUri ?? _url, answer),
            404 or 410 => new CheckpointException($"{Address} does not exist ({answer})"),
            200 => new CheckpointException($"{Address} stopped honouring range requests (it answered {answer} with the whole file); refused"),
            _ => new CheckpointException($"{Address} cannot be read: the server answered {answer}"),
        };
    }

    // A refusal of access, saying whether the token was sent: it goes only to the URL given's origin, never to one a
    // redirect led to, so a refusal there says so and how to read the file anyway.
    private CheckpointException Refused(Uri refusedBy, string answer)
    {
        if (SameOrigin(refusedBy, _url))
            return new($"{Address} refused access ({answer})", _token is { } token
                ? [$"the token in {token.Variable} was sent; check that it may read this file"]
                : [$"set {BearerTokens.Variable} (or {BearerTokens.HubVariable} for the Hugging Face hub) to a token that may read it"]);
        string origin = refusedBy.GetLeftPart(UriPartial.Authority), target = refusedBy.GetLeftPart(UriPartial.Path);
        string withheld = $"a token goes only to the origin of the URL given ({_url.GetLeftPart(UriPartial.Authority)}), never to one a redirect leads to";
        string direct = BearerTokens.For(refusedBy) is { } own
            ? $"open {target} itself, to which the token in {own.Variable} is sent"
            : $"set {BearerTokens.Variable} to a token {origin} accepts and open {target} itself";
        return new($"{Address} redirected to {origin}, which refused access ({answer})",
        [
            _token is { } held ? $"the token in {held.Variable} was withheld from {origin}: {withheld}" : $"no token is sent to {origin}: {withheld}",
            $"use a signed URL of the file, which needs no token, or {direct}",
        ]);
    }

    // Retry-After as seconds, or as an HTTP date (RFC 9110 §10.2.3): the wait until then.
    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) =>
        header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);

    private TimeSpan Delay(int attempt, TimeSpan? retryAfter) =>
        TimeSpan.FromTicks(Math.Max(_options.FirstRetryDelay.Ticks << attempt, Math.Min(retryAfter?.Ticks ?? 0, TimeSpan.TicksPerSecond * 30)));

    private CheckpointException GaveUp(TransientException e) =>
        new($"{Address} cannot be read: {e.Message} ({_options.Retries + 1} tries)", inner: e);

    // A failure worth trying again.
    private sealed class TransientException(string message, TimeSpan? retryAfter = null) : Exception(message)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}
