using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Views.Pictures;

/// <summary>
/// The picture of a whole layer: a mosaic of its filters (one tile per neuron), or each weight as a heatmap whose row j
/// is neuron j (max-abs pooled when it has more than <see cref="WeightGrid.MaxCells"/> rows or columns), or with
/// <see cref="PictureOptions.Histogram"/> histograms of its weights and of its neurons' L2 norms.
/// </summary>
public static class LayerPicture
{
    // A mosaic larger than this many weights is drawn as a heatmap of the flattened filters instead.
    private const long MosaicWeights = 1 << 20;

    /// <summary>
    /// Draws <paramref name="layer"/> of <paramref name="model"/>, reading its neurons one at a time. Throws
    /// <see cref="RequestException"/> for a layer without neurons or weights, or an option that does not fit it.
    /// Throws <see cref="DrawingUnavailableException"/> when SkiaSharp's native library does not load.
    /// </summary>
    public static Picture Draw(Model model, Layer layer, PictureOptions? options = null) =>
        DrawingUnavailableException.Guard(() => Drawn(model, layer, options));

    private static Picture Drawn(Model model, Layer layer, PictureOptions? options)
    {
        options ??= new PictureOptions();
        if (layer.WhyNoNeurons is { } why) throw new RequestException($"layer '{layer.Name}' ({layer.Kind}) has no neurons: {why}");
        if (RepeatedViews.DescribeIn(layer) is { } repeated)
            throw new RequestException($"layer '{layer.Name}' cannot be drawn whole: {repeated}, and drawing every repeat would take minutes",
                ["give an INDEX to draw one neuron"]);
        if (options.Histogram) return LayerHistogram.Draw(model, layer);
        var lead = Weights(layer.Neuron(0)).FirstOrDefault()
            ?? throw new RequestException($"layer '{layer.Name}' ({layer.Kind}) has no weights to draw");
        var shape = lead.Shape;
        bool shaped = shape.Count == 1 && PartGrid.FitsShape(shape[0], options);
        if (options.Shape is var (height, width) && !shaped)
            throw new RequestException($"--shape {height},{width} holds {(long)height * width} weights, and a neuron of " +
                $"'{layer.Name}' reads {NeuronPicture.ShapeText(lead.Shape)} {lead.Role} weights");
        if (options.Rgb && !(shape.Count == 3 && shape[0] == 3))
            throw new RequestException($"--rgb draws filters of 3 input channels as colour images, and the filters of " +
                $"'{layer.Name}' ({layer.Kind}) are {NeuronPicture.ShapeText(shape)}");
        long perNeuron = shape.Aggregate(1L, (a, b) => a * b);
        bool filters = shaped || shape.Count == 2 || (shape.Count >= 3 && shape[^1] * shape[^2] > 1);
        return filters && layer.NeuronCount * perNeuron <= MosaicWeights
            ? Mosaic(model, layer, options)
            : Heatmaps(model, layer, options);
    }

    /// <summary>The title every layer picture starts with.</summary>
    internal static void Title(Figure figure, Model model, Layer layer, string subtitle)
    {
        figure.Text($"{ModelTitle.Of(model)} · layer {layer.Name} ({layer.Kind}) · " +
            $"{layer.NeuronCount} neuron{(layer.NeuronCount == 1 ? "" : "s")}", 15);
        figure.Text($"layout: {layer.Layout}; {subtitle}", faint: true);
    }

    /// <summary>A neuron's incoming weights: its own parts that are weights (not biases or running statistics).</summary>
    internal static IEnumerable<NeuronPart> Weights(Neuron neuron) =>
        neuron.Parts.Where(p => p.Direction == PartDirection.In && p.Role.Use == PartUse.Weight);

    private static Picture Mosaic(Model model, Layer layer, PictureOptions options)
    {
        var grids = new List<WeightGrid>();
        for (long j = 0; j < layer.NeuronCount; j++)
        {
            var part = Weights(layer.Neuron(j)).First();
            grids.Add(PartGrid.Of(part, part.ToDoubles(), j.ToString(System.Globalization.CultureInfo.InvariantCulture), options, describe: false)!);
        }
        var lead = Weights(layer.Neuron(0)).First();
        var figure = new Figure(DivergingColorMap.For(grids.SelectMany(g => g.Cells)));
        Title(figure, model, layer, options.Shape is var (height, width) && lead.Shape.Count == 1
            ? $"one tile per neuron, tile j neuron j's {lead.Tensor} {NeuronPicture.ShapeText(lead.Shape)} as {height} × {width}"
            : $"one tile per filter, tile j neuron j's {lead.Tensor} {NeuronPicture.ShapeText(lead.Shape)}");
        int largest = grids.Max(g => Math.Max(Math.Min(g.Rgb ? 1 : g.Images, 4) * g.Columns, g.Rows));
        // A tile about 96 pixels, and a row of tiles (Figure.TilesPerRow) about 900.
        int perRow = Figure.TilesPerRow(grids.Count);
        figure.Flow(grids, options.Scale ?? Math.Clamp(Math.Min(96 / largest, 900 / (perRow * largest)), 1, 24));
        figure.ColorBar(NeuronPicture.Caption(grids));
        return figure.Draw();
    }

    // One heatmap per weight part of the neurons (a Linear's weight; an LSTM's weight_ih and weight_hh, gate by gate):
    // row j is neuron j's part, flattened; parts of one value each make one row of a value per neuron.
    private static Picture Heatmaps(Model model, Layer layer, PictureOptions options)
    {
        var leads = Weights(layer.Neuron(0)).ToList();
        long n = layer.NeuronCount;
        var grids = leads.Select(p =>
        {
            long length = p.View.ElementCount;
            string what = p.Gate is null ? p.Tensor : $"{p.Tensor} · gate {p.Gate}";
            return length == 1
                ? WeightGrid.Create($"{what}: one value per neuron, neuron j at column j", 1, 1, n)
                : WeightGrid.Create($"{what}: {n} × {length}", 1, n, length);
        }).ToList();
        for (long j = 0; j < n; j++)
        {
            int k = 0;
            foreach (var part in Weights(layer.Neuron(j)))
            {
                var values = part.ToDoubles();
                for (long i = 0; i < values.LongLength; i++)
                {
                    if (values.LongLength == 1 && leads[k].View.ElementCount == 1) grids[k].Add(0, 0, j, values[i]);
                    else grids[k].Add(0, j, i, values[i]);
                }
                k++;
            }
        }
        var figure = new Figure(DivergingColorMap.For(grids.SelectMany(g => g.Cells)));
        var pooled = grids.FirstOrDefault(g => g.Pooled);
        Title(figure, model, layer, "its weights as heatmaps, row j neuron j" + (pooled is null ? ""
            : $", each cell the largest |w| of {pooled.RowPooling} × {pooled.ColumnPooling} weights"));
        // One weight is drawn large; several (a recurrent layer's weight_ih and weight_hh, gate by gate) side by side.
        int widest = grids.Max(g => g.Columns), tallest = grids.Max(g => g.Rows);
        int cell = options.Scale ?? Math.Clamp(Math.Min((grids.Count == 1 ? 640 : 200) / widest, 640 / tallest), 1, 24);
        if (grids.Count == 1) figure.Stack(grids, cell);
        else figure.Flow(grids, cell);
        figure.ColorBar(NeuronPicture.Caption(grids));
        return figure.Draw();
    }
}
