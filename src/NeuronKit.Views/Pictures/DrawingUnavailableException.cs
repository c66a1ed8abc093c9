namespace NeuronKit.Views.Pictures;

/// <summary>
/// SkiaSharp's native library (<c>libSkiaSharp</c>) did not load, so nothing can be drawn: the machine's platform has no
/// native asset in this build, or the file beside the program is missing. Exit code 1, with what to do.
/// </summary>
public sealed class DrawingUnavailableException(string message, Exception inner)
    : NeuronKitException(message, ["pictures need libSkiaSharp beside the program (or under runtimes/RID/native); reinstall the neuron tool, or use a platform SkiaSharp ships it for"], inner)
{
    /// <inheritdoc/>
    public override int ExitCode => 1;

    /// <summary>Runs <paramref name="draw"/>, turning a failure to load SkiaSharp's native library into this exception.</summary>
    internal static T Guard<T>(Func<T> draw)
    {
        try
        {
            return draw();
        }
        // Native AOT names no type in a TypeInitializationException; the DllNotFoundException inside says what happened.
        catch (TypeInitializationException e) when (e.InnerException is DllNotFoundException || e.TypeName?.StartsWith("SkiaSharp.", StringComparison.Ordinal) == true)
        {
            throw Unavailable(e.InnerException ?? e);
        }
        catch (DllNotFoundException e)
        {
            throw Unavailable(e);
        }
    }

    // The loader's first sentence ("Unable to load shared library 'libSkiaSharp' or one of its dependencies."); the rest
    // advises strace and lists every path it tried.
    private static DrawingUnavailableException Unavailable(Exception e) =>
        new($"SkiaSharp's native library did not load: {FirstSentence(e.Message)}", e);

    private static string FirstSentence(string text) => text.IndexOf(". ", StringComparison.Ordinal) is >= 0 and var end ? text[..(end + 1)] : text.Trim();
}
