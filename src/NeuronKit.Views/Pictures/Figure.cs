using System.Globalization;
using SkiaSharp;

namespace NeuronKit.Views.Pictures;

/// <summary>
/// A picture laid out top to bottom: text lines, tiles of weights, a colour bar, histograms, each a block of known size
/// drawn at its place once the picture's size is known.
/// </summary>
internal sealed class Figure(DivergingColorMap colors)
{
    /// <summary>The largest picture side Skia and viewers handle comfortably.</summary>
    public const int MaxSide = 16384;

    private const int Margin = 16, Spacing = 6, FlowWidth = 960, LabelSize = 12, SmallSize = 10;
    private static readonly SKColor Ink = new(30, 30, 30), Faint = new(100, 100, 100), Paper = SKColors.White;

    private readonly List<Block> _blocks = [];

    private sealed record Block(int Width, int Height, Action<SKCanvas, int, int, List<PictureTile>> Draw);

    /// <summary>The colours the weights are drawn with.</summary>
    public DivergingColorMap Colors { get; } = colors;

    /// <summary>A line of text: <paramref name="size"/> pixels, the title's ink or the notes' grey.</summary>
    public void Text(string text, float size = LabelSize, bool faint = false)
    {
        using var font = PictureFont.Of(size);
        int height = (int)Math.Ceiling(font.Spacing);
        _blocks.Add(new Block((int)Math.Ceiling(font.MeasureText(text)), height, (canvas, x, y, _) =>
        {
            using var f = PictureFont.Of(size);
            using var paint = new SKPaint { Color = faint ? Faint : Ink, IsAntialias = true };
            canvas.DrawText(text, x, y - f.Metrics.Ascent, SKTextAlign.Left, f, paint);
        }));
    }

    /// <summary>Each grid under its label, one below the other (a neuron's parts).</summary>
    public void Stack(IEnumerable<WeightGrid> grids, int cell)
    {
        foreach (var grid in grids)
        {
            Text(grid.Label);
            var tile = Place(grid, cell, 0, 0);
            _blocks.Add(new Block(tile.Width, tile.Height, (canvas, x, y, tiles) => tiles.Add(DrawTile(canvas, grid, tile with { X = x, Y = y }))));
        }
    }

    /// <summary>The grids side by side under small labels, wrapping into rows (a layer's filters as a mosaic).</summary>
    public void Flow(IReadOnlyList<WeightGrid> grids, int cell)
    {
        if (grids.Count == 0) return;
        using var font = PictureFont.Of(SmallSize);
        int labelHeight = (int)Math.Ceiling(font.Spacing);
        var shapes = grids.Select(g => Place(g, cell, 0, 0)).ToList();
        int tileWidth = shapes.Max(t => Math.Max(t.Width, (int)Math.Ceiling(font.MeasureText(t.Label)))) + 2 * Spacing;
        int tileHeight = shapes.Max(t => t.Height) + labelHeight + 2 * Spacing;
        int perRow = Math.Max(1, Math.Min(TilesPerRow(grids.Count), FlowWidth / tileWidth));
        int rows = (grids.Count + perRow - 1) / perRow;
        _blocks.Add(new Block(perRow * tileWidth, rows * tileHeight, (canvas, x, y, tiles) =>
        {
            using var f = PictureFont.Of(SmallSize);
            using var paint = new SKPaint { Color = Faint, IsAntialias = true };
            for (int i = 0; i < grids.Count; i++)
            {
                int left = x + i % perRow * tileWidth, top = y + i / perRow * tileHeight;
                canvas.DrawText(grids[i].Label, left, top - f.Metrics.Ascent, SKTextAlign.Left, f, paint);
                tiles.Add(DrawTile(canvas, grids[i], shapes[i] with { X = left, Y = top + labelHeight }));
            }
        }));
    }

    /// <summary>The colour bar from −limit to +limit with its values, and what a pixel is.</summary>
    public void ColorBar(string caption)
    {
        const int barWidth = 320, barHeight = 14;
        using var font = PictureFont.Of(SmallSize);
        int textHeight = (int)Math.Ceiling(font.Spacing);
        double limit = Colors.Limit;
        _blocks.Add(new Block(barWidth + 80, barHeight + textHeight + 4, (canvas, x, y, _) =>
        {
            using var f = PictureFont.Of(SmallSize);
            using var paint = new SKPaint { IsAntialias = false };
            for (int i = 0; i < barWidth; i++)
            {
                var c = Colors.ColorOf((2.0 * i / (barWidth - 1) - 1) * limit);
                paint.Color = new SKColor(c.R, c.G, c.B);
                canvas.DrawRect(x + i, y, 1, barHeight, paint);
            }
            using var ink = new SKPaint { Color = Ink, IsAntialias = true };
            float baseline = y + barHeight + 2 - f.Metrics.Ascent;
            canvas.DrawText(Number(-limit), x, baseline, SKTextAlign.Left, f, ink);
            canvas.DrawText("0", x + barWidth / 2f, baseline, SKTextAlign.Center, f, ink);
            canvas.DrawText(Number(limit), x + barWidth, baseline, SKTextAlign.Right, f, ink);
        }));
        Text(caption, SmallSize, faint: true);
    }

    /// <summary>A histogram of <paramref name="counts"/> over [<paramref name="low"/>, <paramref name="high"/>], with marked values.</summary>
    public void Histogram(string title, long[] counts, double low, double high, IReadOnlyList<(double Value, string Label)> marks)
    {
        Text(title);
        const int plotWidth = 480, plotHeight = 140, axis = 50;
        using var font = PictureFont.Of(SmallSize);
        int textHeight = (int)Math.Ceiling(font.Spacing);
        long most = Math.Max(1, counts.Max());
        _blocks.Add(new Block(axis + plotWidth + 40, plotHeight + 2 * textHeight + 4, (canvas, x, y, _) =>
        {
            using var f = PictureFont.Of(SmallSize);
            using var ink = new SKPaint { Color = Ink, IsAntialias = true };
            using var bar = new SKPaint { Color = new SKColor(70, 110, 160) };
            using var line = new SKPaint { Color = Ink, StrokeWidth = 1 };
            using var mark = new SKPaint { Color = new SKColor(178, 24, 43), StrokeWidth = 1, IsAntialias = true };
            int left = x + axis, bottom = y + textHeight / 2 + plotHeight;
            float width = (float)plotWidth / counts.Length;
            for (int i = 0; i < counts.Length; i++)
            {
                float height = (float)(plotHeight * counts[i] / (double)most);
                canvas.DrawRect(left + i * width, bottom - height, Math.Max(1, width - 1), height, bar);
            }
            canvas.DrawLine(left, bottom, left + plotWidth, bottom, line);
            canvas.DrawLine(left, bottom, left, bottom - plotHeight, line);
            canvas.DrawText(most.ToString("N0", CultureInfo.InvariantCulture), left - 4, bottom - plotHeight - f.Metrics.Ascent / 2, SKTextAlign.Right, f, ink);
            canvas.DrawText("0", left - 4, bottom, SKTextAlign.Right, f, ink);
            float baseline = bottom + 2 - f.Metrics.Ascent;
            canvas.DrawText(Number(low), left, baseline, SKTextAlign.Left, f, ink);
            canvas.DrawText(Number(high), left + plotWidth, baseline, SKTextAlign.Right, f, ink);
            foreach (var (value, label) in marks)
            {
                if (!(high > low) || value < low || value > high) continue;
                float at = left + (float)((value - low) / (high - low) * plotWidth);
                canvas.DrawLine(at, bottom, at, bottom - plotHeight, mark);
                canvas.DrawText(label, at + 3, bottom - plotHeight - f.Metrics.Ascent, SKTextAlign.Left, f, ink);
            }
        }));
    }

    /// <summary>Lays the blocks out and draws them: the picture, with where each tile went.</summary>
    public Picture Draw()
    {
        int width = _blocks.Max(b => b.Width) + 2 * Margin;
        int height = _blocks.Sum(b => b.Height + Spacing) - Spacing + 2 * Margin;
        if (width > MaxSide || height > MaxSide)
            throw new RequestException($"the picture would be {width} × {height} pixels, more than {MaxSide:N0} on a side",
                ["draw it with a smaller --scale"]);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        try
        {
            var tiles = new List<PictureTile>();
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(Paper);
                int y = Margin;
                foreach (var block in _blocks)
                {
                    block.Draw(canvas, Margin, y, tiles);
                    y += block.Height + Spacing;
                }
            }
            return new Picture(bitmap, tiles, Colors);
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>Tiles per row of a flow of <paramref name="count"/>, at most: twice as many across as down (tiles are often wide).</summary>
    public static int TilesPerRow(int count) => Math.Min(count, 2 * (int)Math.Ceiling(Math.Sqrt(count)));

    /// <summary>How many of a tile's <paramref name="drawn"/> images go in one row: all up to 4, else a near-square grid.</summary>
    public static int ImagesPerRow(int drawn) => drawn <= 4 ? drawn : (int)Math.Ceiling(Math.Sqrt(drawn));

    /// <summary>A number as the pictures print it: 4 significant digits.</summary>
    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    // The tile's geometry for `grid` at `cell` pixels per weight: a one-row image is drawn at least 12 pixels high, and the
    // images of a filter make a near-square grid (all in one row up to 4).
    private static PictureTile Place(WeightGrid grid, int cell, int x, int y)
    {
        int drawn = grid.Rgb ? 1 : grid.Images;
        return new PictureTile
        {
            Label = grid.Label, X = x, Y = y, Images = grid.Images,
            ImagesPerRow = ImagesPerRow(drawn),
            Rows = grid.Rows, Columns = grid.Columns, CellWidth = cell, CellHeight = grid.Rows == 1 ? Math.Max(cell, 12) : cell,
            Gap = cell >= 8 ? 4 : 1, RowPooling = grid.RowPooling, ColumnPooling = grid.ColumnPooling, Rgb = grid.Rgb,
        };
    }

    // Each image as a bitmap of one pixel per cell, scaled up without smoothing into its place.
    private PictureTile DrawTile(SKCanvas canvas, WeightGrid grid, PictureTile tile)
    {
        int cells = grid.Rows * grid.Columns;
        using var image = new SKBitmap(new SKImageInfo(grid.Columns, grid.Rows, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = image.GetPixelSpan();
        for (int drawn = 0; drawn < tile.DrawnImages; drawn++)
        {
            for (int i = 0; i < cells; i++)
            {
                var c = grid.Rgb
                    ? new PixelColor(Channel(grid.Cells[i]), Channel(grid.Cells[cells + i]), Channel(grid.Cells[2 * cells + i]))
                    : Colors.ColorOf(grid.Cells[(long)drawn * cells + i]);
                pixels[4 * i] = c.R;
                pixels[4 * i + 1] = c.G;
                pixels[4 * i + 2] = c.B;
                pixels[4 * i + 3] = 255;
            }
            image.NotifyPixelsChanged();
            var (left, top) = tile.PixelOf(drawn, 0, 0);
            left -= tile.CellWidth / 2;
            top -= tile.CellHeight / 2;
            using var snapshot = SKImage.FromBitmap(image);
            canvas.DrawImage(snapshot, new SKRect(left, top, left + grid.Columns * tile.CellWidth, top + grid.Rows * tile.CellHeight),
                new SKSamplingOptions(SKFilterMode.Nearest), null);
        }
        return tile;
    }

    // An RGB channel: 128 + 127·w/limit, so that grey is 0 in every channel.
    private byte Channel(double value) =>
        double.IsNaN(value) ? (byte)0 : (byte)Math.Round(128 + 127 * Math.Clamp(value / Colors.Limit, -1, 1));
}
