namespace NeuronKit.Web;

/// <summary>An answer would be larger than the server sends at once (413): the request is fine, but must ask for less.</summary>
internal sealed class ResponseTooLargeException(string message, IReadOnlyList<string> hints) : Exception(message)
{
    /// <summary>What to ask for instead.</summary>
    public IReadOnlyList<string> Hints { get; } = hints;
}
