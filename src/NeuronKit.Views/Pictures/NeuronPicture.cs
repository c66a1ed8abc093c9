using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Views.Pictures;

/// <summary>
/// The picture of one neuron: each part with a shape as an image (a Linear row as a heatmap row, a recurrent unit's gates
/// as labelled rows, a conv filter's input channels as a grid of small images), single values (biases, a BatchNorm's
/// channel) as text, under a title and over a colour bar.
/// </summary>
public static class NeuronPicture
{
    /// <summary>
    /// Draws <paramref name="neuron"/> of <paramref name="model"/> (with its outgoing parts when it carries them:
    /// <see cref="NeuronKit.Graph.LayerGraph.WithOutgoing"/>). Throws <see cref="RequestException"/> when an option does
    /// not fit the neuron (<see cref="PictureOptions.Shape"/> fits no part, <see cref="PictureOptions.Rgb"/> without 3 channels).
    /// Throws <see cref="DrawingUnavailableException"/> when SkiaSharp's native library does not load.
    /// </summary>
    public static Picture Draw(Model model, Neuron neuron, PictureOptions? options = null) =>
        DrawingUnavailableException.Guard(() => Drawn(model, neuron, options));

    private static Picture Drawn(Model model, Neuron neuron, PictureOptions? options)
    {
        options ??= new PictureOptions();
        if (options.Histogram)
            throw new RequestException("--hist draws a whole layer's histograms; leave out INDEX");
        var parts = neuron.Parts.Select(p => (Part: p, Label: Label(p))).ToList();
        string PartsHint() => $"its parts: {string.Join(", ", parts.Select(p => $"{p.Part.Role} {ShapeText(p.Part.Shape)}"))}";
        if (options.Shape is var (height, width) && !parts.Any(p => p.Part.Shape.Count == 1 && PartGrid.FitsShape(p.Part.Shape[0], options)))
            throw new RequestException($"--shape {height},{width} holds {(long)height * width} weights, and no part of neuron " +
                $"{neuron.Index} of '{neuron.Layer.Name}' is a row of that many",
                [PartsHint()]);
        if (options.Rgb && !parts.Any(p => p.Part.Shape.Count == 3 && p.Part.Shape[0] == 3))
            throw new RequestException($"--rgb draws a filter of 3 input channels as one colour image ([3, H, W]), and neuron {neuron.Index} " +
                $"of '{neuron.Layer.Name}' ({neuron.Layer.Kind}) has no part of that shape",
                [PartsHint()]);
        // The neuron's own parts first, then what its output goes through and into (--outgoing); single values as text.
        List<WeightGrid> grids = [], outgoing = [];
        List<string> singles = [], outgoingSingles = [];
        foreach (var (part, label) in parts)
        {
            bool own = part.Direction == PartDirection.In;
            var values = part.ToDoubles();
            if (values.Length == 0) (own ? singles : outgoingSingles).Add($"{label}: no values");
            else if (PartGrid.Of(part, values, label, options) is { } grid) (own ? grids : outgoing).Add(grid);
            else (own ? singles : outgoingSingles).Add($"{label} = {Figure.Number(values[0])}");
        }
        List<WeightGrid> all = [.. grids, .. outgoing];
        var figure = new Figure(DivergingColorMap.For(all.SelectMany(g => g.Cells)));
        figure.Text($"{ModelTitle.Of(model)} · layer {neuron.Layer.Name} ({neuron.Layer.Kind}) · " +
            $"neuron {neuron.Index} of {neuron.Layer.NeuronCount}", 15);
        figure.Text($"layout: {neuron.Layer.Layout}", faint: true);
        int cell = options.Scale ?? DefaultScale(all);
        figure.Stack(grids, cell);
        foreach (string single in singles) figure.Text(single);
        if (outgoing.Count + outgoingSingles.Count > 0)
        {
            figure.Text("outgoing: what the neuron's output goes through, and the slices of the consumers' weights that multiply it", faint: true);
            foreach (string single in outgoingSingles) figure.Text(single);
            figure.Stack(outgoing, cell);
        }
        if (all.Count > 0) figure.ColorBar(Caption(all));
        return figure.Draw();
    }

    /// <summary>
    /// A part's label: tensor and slice, role, gate, direction and shape, as <c>neuron show</c> heads it
    /// (<c>rnn.weight_ih_l0[22]  weight_ih · gate forget · [10] float32</c>).
    /// </summary>
    internal static string Label(NeuronPart part)
    {
        var words = new List<string> { part.Role.Name };
        if (part.Gate is not null) words.Add($"gate {part.Gate}");
        if (part.Direction == PartDirection.Through) words.Add($"through, to {part.Consumer}");
        if (part.Direction == PartDirection.Out) words.Add($"out, into {part.Consumer}");
        words.Add($"{ShapeText(part.Shape)} {part.StoredAs ?? part.DType.Name()}");
        return $"{part.Tensor}{part.Index}  {string.Join(" · ", words)}";
    }

    /// <summary>What the colour bar stands for, and how the grids were drawn.</summary>
    internal static string Caption(IReadOnlyList<WeightGrid> grids)
    {
        string caption = "each cell one weight; blue negative, red positive, symmetric range ±max|w|; black NaN";
        if (grids.Any(g => g.Pooled)) caption += "; a pooled cell shows its block's largest |w|";
        if (grids.Any(g => g.Rgb)) caption += "; RGB: channels 0, 1, 2 as red, green, blue, 128 + 127·w/max|w| each";
        return caption;
    }

    /// <summary>The default cell size: the widest tile about 512 pixels, the tallest at most about 1,024, cells 1 to 40 pixels.</summary>
    internal static int DefaultScale(IReadOnlyList<WeightGrid> grids)
    {
        if (grids.Count == 0) return 1;
        int widest = grids.Max(g => Figure.ImagesPerRow(g.Rgb ? 1 : g.Images) * g.Columns);
        int tallest = grids.Max(g => (g.Rgb ? 1 : (g.Images + Figure.ImagesPerRow(g.Images) - 1) / Figure.ImagesPerRow(g.Images)) * g.Rows);
        return Math.Clamp(Math.Min(512 / Math.Max(widest, 1), 1024 / Math.Max(tallest, 1)), 1, 40);
    }

    /// <summary>A shape as <c>neuron show</c> prints it: <c>[3, 3, 3]</c>.</summary>
    internal static string ShapeText(IReadOnlyList<long> shape) => $"[{string.Join(", ", shape)}]";
}
