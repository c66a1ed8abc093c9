using Spectre.Console;

namespace NeuronKit.Cli.Output;

/// <summary>
/// A progress bar on stderr for a scan that is still running after a second, and only when stderr is a terminal:
/// piped or captured output never gets escape codes, and short runs never flicker.
/// </summary>
internal static class StatsProgress
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    /// <summary>True when a bar may be drawn on <paramref name="stderr"/>.</summary>
    public static bool Possible(TextWriter stderr) => stderr is PrintableWriter { Terminal: true };

    /// <summary>Waits for <paramref name="work"/>, drawing a bar of <paramref name="done"/> out of <paramref name="total"/> bytes once it has run a second.</summary>
    public static void Wait(Task work, Func<long> done, long total)
    {
        if (Finished(work, Delay)) return;
        // Possible() has checked that stderr is a terminal; Spectre would judge by stdout, which may be redirected.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(Console.Error),
        });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var bar = context.AddTask("reading weights", maxValue: Math.Max(total, 1));
                while (!Finished(work, TimeSpan.FromMilliseconds(100)))
                {
                    bar.Value = Math.Min(done(), total);
                    context.Refresh();
                }
                bar.Value = total;
            });
    }

    // A failed scan has finished too; the caller rethrows its exception.
    private static bool Finished(Task work, TimeSpan timeout)
    {
        try
        {
            return work.Wait(timeout);
        }
        catch (AggregateException)
        {
            return true;
        }
    }
}
