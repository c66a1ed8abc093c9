namespace NeuronKit.Activations;

/// <summary>How pictures among the inputs are turned into tensors.</summary>
public sealed record ImageOptions(ImagePreprocess Preprocess = ImagePreprocess.Scale, ImageLayout Layout = ImageLayout.Nchw)
{
    /// <summary>The default: scaled to 0..1, NCHW.</summary>
    public static readonly ImageOptions Default = new();
}
