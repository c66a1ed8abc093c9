using System.Globalization;

namespace NeuronKit.Views.Pictures;

/// <summary>How to draw a neuron or a layer (<c>neuron render</c>'s options).</summary>
public sealed record PictureOptions
{
    /// <summary>Pixels per weight (a cell's side); null chooses one that makes the largest image about 512 pixels wide.</summary>
    public int? Scale { get; init; }

    /// <summary>Draw a filter with 3 input channels as one RGB image instead of three images.</summary>
    public bool Rgb { get; init; }

    /// <summary>Reshape rows of <c>Height × Width</c> weights into images of that shape (28, 28 for an MNIST first layer).</summary>
    public (int Height, int Width)? Shape { get; init; }

    /// <summary>For a layer: histograms of its weights and of its neurons' L2 norms instead of its weights.</summary>
    public bool Histogram { get; init; }

    /// <summary>
    /// The options a request asks for in words (<c>neuron render</c>'s options, <c>/api/render</c>'s parameters), checked:
    /// a scale from 1 to 256 pixels, a shape of two positive integers <c>H,W</c>. A wrong one is a
    /// <see cref="RequestException"/> that names it as the request did (<paramref name="scaleName"/>, <paramref name="shapeName"/>).
    /// </summary>
    public static PictureOptions From(int? scale, bool rgb, string? shape, bool histogram, string scaleName = "--scale", string shapeName = "--shape") => new()
    {
        Scale = scale is <= 0 or > 256 ? throw new RequestException($"{scaleName} {scale} is not a number of pixels from 1 to 256") : scale,
        Rgb = rgb,
        Shape = shape is null ? null : ShapeOf(shape, shapeName),
        Histogram = histogram,
    };

    private static (int, int) ShapeOf(string text, string name)
    {
        var sides = text.Split(',');
        return sides.Length == 2 && int.TryParse(sides[0], NumberStyles.None, CultureInfo.InvariantCulture, out int height) &&
            int.TryParse(sides[1], NumberStyles.None, CultureInfo.InvariantCulture, out int width) && height > 0 && width > 0
            ? (height, width)
            : throw new RequestException($"{name} '{text}' is not H,W (two positive integers, e.g. 28,28)");
    }
}
