namespace NeuronKit;

/// <summary>The request is wrong: an unknown or ambiguous layer, an index out of range, a kind that does not fit.</summary>
public sealed class RequestException(string message, IReadOnlyList<string>? hints = null)
    : NeuronKitException(message, hints)
{
    /// <inheritdoc/>
    public override int ExitCode => 2;
}
