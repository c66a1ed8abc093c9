using System.CommandLine;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron --help</c>, laid out as System.CommandLine lays out help, but listing each command's arguments as its usage
/// line does: <c>stats &lt;FILE&gt; [&lt;LAYER&gt;]</c>. System.CommandLine 2.0's list of subcommands shows every
/// argument as <c>&lt;NAME&gt;</c>, optional or not, and its help builder cannot be customized (it is internal).
/// </summary>
internal static class RootHelpWriter
{
    public static void Write(TextWriter stdout, RootCommand root)
    {
        stdout.WriteLine("Description:");
        stdout.WriteLine($"  {root.Description}");
        stdout.WriteLine();
        stdout.WriteLine("Usage:");
        stdout.WriteLine("  neuron [command] [options]");
        stdout.WriteLine();
        stdout.WriteLine("Options:");
        Columns(stdout, [.. root.Options.Where(o => !o.Hidden).Select(o => (Label(o), o.Description ?? ""))]);
        stdout.WriteLine();
        stdout.WriteLine("Commands:");
        Columns(stdout, [.. root.Subcommands.Where(c => !c.Hidden).Select(c => (Label(c), c.Description ?? ""))]);
        stdout.WriteLine();
    }

    // Short aliases first, then the name; "/h" and "/?" are the Windows spellings of "-h" and "-?".
    private static string Label(Option option) =>
        string.Join(", ", option.Aliases.Append(option.Name).Where(a => a[0] == '-')
            .OrderBy(a => a.StartsWith("--", StringComparison.Ordinal)).ThenBy(a => a, StringComparer.Ordinal));

    // A required argument is <NAME>; an optional one [<NAME>], holding the optional ones after it.
    private static string Label(Command command)
    {
        var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
        int optional = arguments.Count(a => a.Arity.MinimumNumberOfValues == 0);
        var words = arguments.Select(a => a.Arity.MinimumNumberOfValues == 0 ? $"[<{a.Name}>" : $"<{a.Name}>");
        return string.Join(" ", words.Prepend(command.Name)) + new string(']', optional);
    }

    private static void Columns(TextWriter stdout, IReadOnlyList<(string Label, string Description)> rows)
    {
        int width = rows.Max(r => r.Label.Length);
        foreach (var (label, description) in rows)
            stdout.WriteLine($"  {label.PadRight(width)}  {description}".TrimEnd());
    }
}
