namespace NeuronKit.Activations;

/// <summary>How a PNG or JPEG picture becomes a float tensor.</summary>
public enum ImagePreprocess
{
    /// <summary>The picture as it is, RGB scaled to 0..1 (torchvision's <c>ToTensor</c>).</summary>
    Scale,

    /// <summary>
    /// torchvision's ImageNet transform: shorter side resized to 256, centre crop 224×224, 0..1, then
    /// normalised with mean [0.485, 0.456, 0.406] and standard deviation [0.229, 0.224, 0.225].
    /// </summary>
    Imagenet,
}
