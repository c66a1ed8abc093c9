namespace NeuronKit.Views.Pictures;

/// <summary>An opaque 8-bit RGB colour, as a picture's pixel holds it.</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct PixelColor(byte R, byte G, byte B)
{
    /// <inheritdoc/>
    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}
