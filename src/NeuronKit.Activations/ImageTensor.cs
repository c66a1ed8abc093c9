using SkiaSharp;

namespace NeuronKit.Activations;

/// <summary>Decodes a PNG or JPEG picture with SkiaSharp and makes it a float tensor as torchvision's transforms would.</summary>
internal static class ImageTensor
{
    // https://pytorch.org/vision/stable/models.html: the mean and standard deviation every ImageNet model was trained with.
    private static readonly float[] ImagenetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] ImagenetStd = [0.229f, 0.224f, 0.225f];
    private const int ResizeTo = 256, CropTo = 224;

    /// <summary>Whether <paramref name="path"/> names a picture by its extension.</summary>
    public static bool IsPicture(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg";

    /// <summary>The picture at <paramref name="path"/> as [1, 3, H, W] (or [1, H, W, 3]) RGB floats.</summary>
    public static InputTensor Read(string path, ImageOptions options)
    {
        using var decoded = SKBitmap.Decode(path)
            ?? throw new RequestException($"{Path.GetFileName(path)} is not a PNG or JPEG picture SkiaSharp can decode");
        using var rgba = decoded.Copy(SKColorType.Rgba8888)
            ?? throw new RequestException($"{Path.GetFileName(path)}: its pixels cannot be converted to RGB");
        return options.Preprocess == ImagePreprocess.Imagenet ? Imagenet(rgba, options.Layout) : Pixels(rgba, 0, 0, rgba.Width, rgba.Height, options.Layout, null, null);
    }

    // transforms.Resize(256) then CenterCrop(224): the shorter side becomes 256 (the other rounded down, as torchvision
    // does), and the crop starts at round((size - 224) / 2).
    private static InputTensor Imagenet(SKBitmap image, ImageLayout layout)
    {
        int width = image.Width, height = image.Height;
        (int w, int h) = width <= height ? (ResizeTo, (int)((long)ResizeTo * height / width)) : ((int)((long)ResizeTo * width / height), ResizeTo);
        using var resized = image.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new RequestException("the picture cannot be resized");
        int left = (int)Math.Round((w - CropTo) / 2.0, MidpointRounding.ToEven), top = (int)Math.Round((h - CropTo) / 2.0, MidpointRounding.ToEven);
        return Pixels(resized, left, top, CropTo, CropTo, layout, ImagenetMean, ImagenetStd);
    }

    private static InputTensor Pixels(SKBitmap image, int left, int top, int width, int height, ImageLayout layout, float[]? mean, float[]? std)
    {
        var values = new float[3 * width * height];
        var bytes = image.GetPixelSpan();
        int stride = image.RowBytes;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int at = (top + y) * stride + (left + x) * 4;
                for (int c = 0; c < 3; c++)
                {
                    float v = bytes[at + c] / 255f;
                    if (mean is not null) v = (v - mean[c]) / std![c];
                    values[layout == ImageLayout.Nchw ? (c * height + y) * width + x : (y * width + x) * 3 + c] = v;
                }
            }
        return new InputTensor(values, layout == ImageLayout.Nchw ? [1, 3, height, width] : [1, height, width, 3]);
    }
}
