namespace NeuronKit.Cli.Output;

/// <summary>Prints failures as DESIGN.md says: one <c>error: </c> line, then <c>hint: </c> lines.</summary>
internal static class ErrorWriter
{
    public static void Write(TextWriter stderr, string message, IEnumerable<string> hints)
    {
        // An error is one line whatever a name in it holds.
        stderr.WriteLine($"error: {PrintableWriter.OneLine(message)}");
        foreach (var hint in hints) stderr.WriteLine($"hint: {PrintableWriter.OneLine(hint)}");
    }
}
