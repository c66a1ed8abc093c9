using Spectre.Console;

namespace NeuronKit.Cli.Output;

/// <summary>
/// A Spectre console over a text writer: plain text when redirected, so output is the same in files and tests; no line
/// ends in blanks.
/// </summary>
internal static class ConsoleFactory
{
    public static IAnsiConsole Create(TextWriter writer)
    {
        bool terminal = writer is PrintableWriter { Terminal: true };
        // No styles are used, so no escape codes are needed, even on a terminal (the writer would show them as text).
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(new TrimmingWriter(writer)),
            Interactive = InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 160;
        return console;
    }
}
