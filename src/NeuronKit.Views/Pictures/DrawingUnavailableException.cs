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
        catch (TypeInitializationException e) when (e.TypeName?.StartsWith("SkiaSharp.", StringComparison.Ordinal) == true)
        {
            throw new DrawingUnavailableException($"SkiaSharp's native library did not load: {(e.InnerException ?? e).Message}", e);
        }
        catch (DllNotFoundException e)
        {
            throw new DrawingUnavailableException($"SkiaSharp's native library did not load: {e.Message}", e);
        }
    }
}
