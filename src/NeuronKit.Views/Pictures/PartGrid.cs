using NeuronKit.Neurons;

namespace NeuronKit.Views.Pictures;

/// <summary>How a neuron part's shape becomes images: a row, a matrix, or one image per input channel.</summary>
internal static class PartGrid
{
    /// <summary>
    /// The grid of <paramref name="part"/> (its <paramref name="values"/> read already), shaped as <paramref name="options"/> say:
    /// a vector is a row (or a Height × Width image with <see cref="PictureOptions.Shape"/>, when its length fits); a matrix
    /// is one image; [C, …, H, W] is C·… images of H × W (one RGB image for C = 3 and <see cref="PictureOptions.Rgb"/>), and
    /// a 1 × 1 kernel is a row of its C weights. Null for a single value. The label says what the images are unless not
    /// <paramref name="describe"/> (a mosaic's tiles, which the title describes once).
    /// </summary>
    public static WeightGrid? Of(NeuronPart part, double[] values, string label, PictureOptions options, bool describe = true)
    {
        var shape = part.Shape;
        if (shape.Count == 0) return null;
        if (shape.Count >= 3 && shape[^1] * shape[^2] == 1) return Row(label, values, options);
        return shape.Count switch
        {
            1 => Row(label, values, options),
            2 => WeightGrid.Of(label, values, 1, shape[0], shape[1]),
            _ when options.Rgb && shape.Count == 3 && shape[0] == 3 =>
                WeightGrid.Of(describe ? $"{label} · channels 0, 1, 2 as red, green, blue" : label, values, 3, shape[1], shape[2], rgb: true),
            _ => WeightGrid.Of(describe ? $"{label} · {Images(part, shape)} of {shape[^2]} × {shape[^1]}, left to right" : label, values,
                shape.Take(shape.Count - 2).Aggregate(1L, (a, b) => a * b), shape[^2], shape[^1]),
        };
    }

    // What the images of [C, …, H, W] are: C input channels (C × D channel-depth pairs of a 3-D kernel), or for an outgoing
    // slice, channel j in each of the consumer's C filters.
    private static string Images(NeuronPart part, IReadOnlyList<long> shape)
    {
        string count = string.Join(" × ", shape.Take(shape.Count - 2));
        string plural = shape[0] == 1 && shape.Count == 3 ? "" : "s";
        if (part.Direction == PartDirection.Out) return $"its channel in {count} filter{plural} of {part.Consumer}";
        return shape.Count == 3 ? $"{count} input channel{plural}" : $"{count} (channel{string.Concat(Enumerable.Repeat(", depth", shape.Count - 3))})";
    }

    /// <summary>True when <see cref="PictureOptions.Shape"/> fits a row of <paramref name="length"/> weights.</summary>
    public static bool FitsShape(long length, PictureOptions options) =>
        options.Shape is var (height, width) && (long)height * width == length;

    private static WeightGrid Row(string label, double[] values, PictureOptions options) =>
        FitsShape(values.LongLength, options)
            ? WeightGrid.Of(label, values, 1, options.Shape!.Value.Height, options.Shape!.Value.Width)
            : WeightGrid.Of(label, values, 1, 1, values.LongLength);
}
