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
}
