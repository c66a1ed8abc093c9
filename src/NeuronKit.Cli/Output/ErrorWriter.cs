namespace NeuronKit.Cli.Output;

/// <summary>Prints failures as DESIGN.md says: one <c>error: </c> line, then <c>hint: </c> lines.</summary>
internal static class ErrorWriter
{
    public static void Write(TextWriter stderr, string message, IEnumerable<string> hints)
    {
        stderr.WriteLine($"error: {message}");
        foreach (var hint in hints) stderr.WriteLine($"hint: {hint}");
    }
}
