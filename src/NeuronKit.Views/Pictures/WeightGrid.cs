namespace NeuronKit.Views.Pictures;

/// <summary>
/// Weights ready to draw: <see cref="Images"/> images of <see cref="Rows"/> × <see cref="Columns"/> cells, row-major, each
/// cell one weight or the largest-magnitude weight of a pooled block.
/// </summary>
internal sealed class WeightGrid
{
    /// <summary>Cells per image side, at most: a bigger image is pooled, so that a picture stays a picture.</summary>
    public const int MaxCells = 1024;

    private WeightGrid(string label, int images, int rows, int columns, int rowPooling, int columnPooling)
    {
        Label = label;
        Images = images;
        Rows = rows;
        Columns = columns;
        RowPooling = rowPooling;
        ColumnPooling = columnPooling;
        Cells = new double[(long)images * rows * columns];
    }

    public string Label { get; }
    public int Images { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int RowPooling { get; }
    public int ColumnPooling { get; }
    public bool Rgb { get; init; }

    /// <summary>The cells, image by image, row-major.</summary>
    public double[] Cells { get; }

    /// <summary>True when a cell holds more than one weight.</summary>
    public bool Pooled => RowPooling > 1 || ColumnPooling > 1;

    /// <summary>
    /// An empty grid for <paramref name="images"/> images of <paramref name="rows"/> × <paramref name="columns"/> weights,
    /// pooled to at most <see cref="MaxCells"/> cells a side; fill it with <see cref="Add"/>.
    /// </summary>
    public static WeightGrid Create(string label, long images, long rows, long columns, bool rgb = false)
    {
        int rowPooling = (int)((rows + MaxCells - 1) / MaxCells), columnPooling = (int)((columns + MaxCells - 1) / MaxCells);
        return new WeightGrid(label, checked((int)images), (int)((rows + rowPooling - 1) / rowPooling),
            (int)((columns + columnPooling - 1) / columnPooling), rowPooling, columnPooling) { Rgb = rgb };
    }

    /// <summary>A grid of <paramref name="values"/>, row-major, as <paramref name="images"/> images of <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public static WeightGrid Of(string label, double[] values, long images, long rows, long columns, bool rgb = false)
    {
        var grid = Create(label, images, rows, columns, rgb);
        for (long i = 0; i < values.LongLength; i++)
        {
            long perImage = rows * columns;
            grid.Add((int)(i / perImage), i % perImage / columns, i % columns, values[i]);
        }
        return grid;
    }

    /// <summary>Puts weight (<paramref name="row"/>, <paramref name="column"/>) of <paramref name="image"/> into its cell (max-abs pooling; NaN wins).</summary>
    public void Add(int image, long row, long column, double value)
    {
        long cell = ((long)image * Rows + row / RowPooling) * Columns + column / ColumnPooling;
        double current = Cells[cell];
        if (RowPooling == 1 && ColumnPooling == 1) Cells[cell] = value;
        else if (!double.IsNaN(current) && (double.IsNaN(value) || Math.Abs(value) > Math.Abs(current))) Cells[cell] = value;
    }
}
