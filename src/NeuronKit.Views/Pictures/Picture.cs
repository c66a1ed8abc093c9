using SkiaSharp;

namespace NeuronKit.Views.Pictures;

/// <summary>A drawn picture of a neuron or a layer: its pixels, where each part is, and the colour map of its weights.</summary>
public sealed class Picture : IDisposable
{
    private readonly SKBitmap _bitmap;

    internal Picture(SKBitmap bitmap, IReadOnlyList<PictureTile> tiles, DivergingColorMap colors)
    {
        _bitmap = bitmap;
        Tiles = tiles;
        Colors = colors;
    }

    /// <summary>Width in pixels.</summary>
    public int Width => _bitmap.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => _bitmap.Height;

    /// <summary>Every tile of weights, in drawing order (one per part of a neuron, one per filter of a mosaic).</summary>
    public IReadOnlyList<PictureTile> Tiles { get; }

    /// <summary>The colours the weights were drawn with.</summary>
    public DivergingColorMap Colors { get; }

    /// <summary>The colour of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public PixelColor ColorAt(int x, int y)
    {
        var color = _bitmap.GetPixel(x, y);
        return new PixelColor(color.Red, color.Green, color.Blue);
    }

    /// <summary>The picture as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Writes the picture to <paramref name="stream"/> as PNG.</summary>
    public void WriteTo(Stream stream)
    {
        if (!_bitmap.Encode(stream, SKEncodedImageFormat.Png, 100))
            throw new IOException("the picture could not be encoded as PNG");
    }

    /// <summary>
    /// Saves the picture as PNG at <paramref name="path"/>: written to a temporary file beside it, then renamed over it, so
    /// that a failure leaves no half-written picture. Throws <see cref="CheckpointException"/> (as <c>neuron edit -o</c> does)
    /// when the folder does not exist or cannot be written.
    /// </summary>
    public void Save(string path) => OutputFile.Write(path, WriteTo);

    /// <inheritdoc/>
    public void Dispose() => _bitmap.Dispose();
}
