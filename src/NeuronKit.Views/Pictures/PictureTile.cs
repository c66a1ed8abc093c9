namespace NeuronKit.Views.Pictures;

/// <summary>
/// Where one part (or one filter of a mosaic) is drawn: a grid of <see cref="Images"/> images of
/// <see cref="Rows"/> × <see cref="Columns"/> cells, <see cref="ImagesPerRow"/> to a row, each cell one weight, or the
/// largest-magnitude weight of a block of <see cref="RowPooling"/> × <see cref="ColumnPooling"/> weights.
/// </summary>
public sealed record PictureTile
{
    /// <summary>What the tile shows, as its label in the picture says.</summary>
    public required string Label { get; init; }

    /// <summary>The left edge of the first image, in pixels.</summary>
    public required int X { get; init; }

    /// <summary>The top edge of the first image, in pixels.</summary>
    public required int Y { get; init; }

    /// <summary>How many images the weights make (input channels of a filter); an RGB tile draws its 3 as one.</summary>
    public required int Images { get; init; }

    /// <summary>Images per row of the tile's grid.</summary>
    public required int ImagesPerRow { get; init; }

    /// <summary>Cells per image, down.</summary>
    public required int Rows { get; init; }

    /// <summary>Cells per image, across.</summary>
    public required int Columns { get; init; }

    /// <summary>A cell's width in pixels.</summary>
    public required int CellWidth { get; init; }

    /// <summary>A cell's height in pixels (a one-row image is drawn at least 12 pixels high).</summary>
    public required int CellHeight { get; init; }

    /// <summary>Pixels between images.</summary>
    public required int Gap { get; init; }

    /// <summary>Weights per cell, down (1 unless the weights outnumber the cells).</summary>
    public int RowPooling { get; init; } = 1;

    /// <summary>Weights per cell, across.</summary>
    public int ColumnPooling { get; init; } = 1;

    /// <summary>True when the 3 images are drawn as one, as red, green and blue.</summary>
    public bool Rgb { get; init; }

    /// <summary>Images drawn: 1 for an RGB tile, else <see cref="Images"/>.</summary>
    public int DrawnImages => Rgb ? 1 : Images;

    /// <summary>The tile's width in pixels.</summary>
    public int Width => Math.Min(DrawnImages, ImagesPerRow) * (Columns * CellWidth + Gap) - Gap;

    /// <summary>The tile's height in pixels.</summary>
    public int Height => (DrawnImages + ImagesPerRow - 1) / ImagesPerRow * (Rows * CellHeight + Gap) - Gap;

    /// <summary>
    /// The centre pixel of the cell that holds weight (<paramref name="row"/>, <paramref name="column"/>) of image
    /// <paramref name="image"/>, in the weights' own indices (before pooling).
    /// </summary>
    public (int X, int Y) PixelOf(int image, long row, long column)
    {
        int drawn = Rgb ? 0 : image;
        int left = X + drawn % ImagesPerRow * (Columns * CellWidth + Gap);
        int top = Y + drawn / ImagesPerRow * (Rows * CellHeight + Gap);
        return (left + (int)(column / ColumnPooling) * CellWidth + CellWidth / 2, top + (int)(row / RowPooling) * CellHeight + CellHeight / 2);
    }
}
