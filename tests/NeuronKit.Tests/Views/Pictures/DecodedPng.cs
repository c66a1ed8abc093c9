using NeuronKit.Views.Pictures;
using SkiaSharp;

namespace NeuronKit.Tests.Views.Pictures;

/// <summary>A picture as a reader gets it: its PNG bytes decoded again, pixel by pixel.</summary>
internal sealed class DecodedPng : IDisposable
{
    private readonly SKBitmap _bitmap;

    public DecodedPng(byte[] png) => _bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException("not a PNG");

    public static DecodedPng Of(Picture picture) => new(picture.ToPng());

    public int Width => _bitmap.Width;

    public int Height => _bitmap.Height;

    public PixelColor this[int x, int y]
    {
        get
        {
            var c = _bitmap.GetPixel(x, y);
            return new PixelColor(c.Red, c.Green, c.Blue);
        }
    }

    /// <summary>The colour of the cell of weight (row, column) of image <paramref name="image"/> of <paramref name="tile"/>.</summary>
    public PixelColor At(PictureTile tile, int image, long row, long column)
    {
        var (x, y) = tile.PixelOf(image, row, column);
        return this[x, y];
    }

    public void Dispose() => _bitmap.Dispose();
}
