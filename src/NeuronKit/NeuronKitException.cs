namespace NeuronKit;

/// <summary>
/// Every failure NeuronKit reports: one sentence that says what is wrong, optional hints, and the exit code the CLI uses.
/// </summary>
public abstract class NeuronKitException(string message, IReadOnlyList<string>? hints = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>Follow-up lines that tell the user what to do (<c>did you mean 'fc'?</c>).</summary>
    public IReadOnlyList<string> Hints { get; } = hints ?? [];

    /// <summary>2 when the request is wrong, 3 when the file cannot be read or is refused.</summary>
    public abstract int ExitCode { get; }
}
