using NeuronKit.Remote;

namespace NeuronKit.Tensors;

/// <summary>
/// The one place a checkpoint's location becomes bytes: a local path is mapped, an <c>http(s)://</c> URL is read by range
/// requests. Readers open every file through here, so every format reads over every source.
/// </summary>
public static class ByteSources
{
    /// <summary>True when <paramref name="location"/> is an http or https URL rather than a path.</summary>
    public static bool IsUrl(string location) =>
        location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens <paramref name="location"/>, a path or a URL (read with <paramref name="remote"/>, else the defaults); fails with <see cref="CheckpointException"/>.</summary>
    public static ByteSource Open(string location, RemoteOptions? remote = null) =>
        IsUrl(location) ? HttpRangeSource.Open(Url(location), remote) : MappedFile.Open(location);

    /// <summary>The file name of <paramref name="location"/>: a path's last component, a URL's last segment without its query.</summary>
    public static string FileName(string location) =>
        IsUrl(location) && Uri.TryCreate(location, UriKind.Absolute, out var url)
            ? Uri.UnescapeDataString(url.Segments[^1]) is { Length: > 0 } last && last != "/" ? last : url.Host
            : Path.GetFileName(location);

    /// <summary>A local path made full (against the working directory); a URL as it is: where two locations name one file.</summary>
    public static string Absolute(string location) => IsUrl(location) ? location : Path.GetFullPath(location);

    /// <summary>
    /// The file <paramref name="name"/> beside <paramref name="location"/>: in the same folder, or under the same base URL
    /// (each segment escaped, the query kept). The caller has checked that the name goes nowhere else (no '..', nothing absolute).
    /// </summary>
    public static string Sibling(string location, string name)
    {
        if (!IsUrl(location)) return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(location))!, name);
        var url = Url(location);
        string folder = url.GetLeftPart(UriPartial.Path);
        folder = folder[..(folder.LastIndexOf('/') + 1)];
        string relative = string.Join('/', name.Split('/', '\\').Where(s => s is not ("" or ".")).Select(Uri.EscapeDataString));
        return folder + relative + url.Query;
    }

    /// <summary>Reads the whole of a small file at <paramref name="location"/>, refusing one above <paramref name="limit"/> bytes.</summary>
    public static byte[] ReadSmall(string location, long limit, string what)
    {
        using var source = Open(location);
        if (source.Length > limit)
            throw new CheckpointException($"{FileName(location)} is a {source.Length:N0}-byte {what}; it is read up to {limit:N0} bytes");
        var bytes = new byte[source.Length];
        source.Read(0, bytes);
        return bytes;
    }

    private static Uri Url(string location) =>
        !Uri.TryCreate(location, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0
            ? throw new RequestException($"'{location}' is not a valid http(s) URL")
            : url.UserInfo.Length > 0
            ? throw new RequestException("a URL with a user name or password in it is refused (it would be printed in messages)",
                [$"put a bearer token in {BearerTokens.Variable} instead"])
            : url;
}
