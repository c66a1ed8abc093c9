namespace NeuronKit;

/// <summary>The file cannot be read (missing, empty, truncated, corrupt, unsupported) or is refused (it would run code).</summary>
public sealed class CheckpointException(string message, IReadOnlyList<string>? hints = null, Exception? inner = null)
    : NeuronKitException(message, hints, inner)
{
    /// <inheritdoc/>
    public override int ExitCode => 3;
}
