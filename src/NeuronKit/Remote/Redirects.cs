namespace NeuronKit.Remote;

/// <summary>Where a redirect may lead a range request: http and https addresses only, and never from https down to http.</summary>
internal static class Redirects
{
    /// <summary>
    /// The address a redirect from <paramref name="from"/> to <paramref name="location"/> (absolute or relative) leads to, or
    /// a <see cref="CheckpointException"/> naming <paramref name="address"/> (the URL the user gave) when it is not followed.
    /// </summary>
    public static Uri Follow(Uri from, Uri location, string address)
    {
        var target = new Uri(from, location);
        if (target.Scheme is not ("http" or "https"))
            throw new CheckpointException($"{address} redirects to a {target.Scheme}: address; only http and https are followed");
        // After such a redirect the file's bytes would travel in clear text, where anyone on the way can read or alter them.
        if (from.Scheme == "https" && target.Scheme == "http")
            throw new CheckpointException($"{address} redirects from https to http ({target.Host}); refused, as the file would then " +
                "travel unencrypted and could be altered on the way",
                ["ask the server's owner to redirect to https, or download the file over a connection you trust and open it"]);
        return target;
    }
}
