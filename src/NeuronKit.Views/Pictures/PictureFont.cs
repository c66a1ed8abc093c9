using SkiaSharp;

namespace NeuronKit.Views.Pictures;

/// <summary>
/// The pictures' typeface: DejaVu Sans, embedded in this assembly (licence in Pictures/Fonts), because a clean machine
/// may have no fonts at all and Skia is built here without fontconfig.
/// </summary>
internal static class PictureFont
{
    private static readonly Lazy<SKTypeface> Loaded = new(() =>
    {
        using var stream = typeof(PictureFont).Assembly.GetManifestResourceStream("NeuronKit.Views.Pictures.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("the embedded font DejaVuSans.ttf is missing from NeuronKit.Views");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException("the embedded font DejaVuSans.ttf could not be read");
    });

    /// <summary>DejaVu Sans at <paramref name="size"/> pixels.</summary>
    public static SKFont Of(float size) => new(Loaded.Value, size) { Edging = SKFontEdging.Antialias, Subpixel = true };
}
