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
        using var codec = SKCodec.Create(path)
            ?? throw new CheckpointException($"{Path.GetFileName(path)} is not a PNG or JPEG picture SkiaSharp can decode");
        // Unpremultiplied: Pillow's convert('RGB'), which torchvision's loaders run, drops a PNG's alpha and keeps its colours
        // as stored, where SKBitmap.Decode(path) would multiply them by the alpha.
        using var rgba = SKBitmap.Decode(codec, codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul))
            ?? throw new CheckpointException($"{Path.GetFileName(path)}: its pixels cannot be converted to RGB");
        int width = rgba.Width, height = rgba.Height;
        var rgb = new byte[width * height * 3];
        var pixels = rgba.GetPixelSpan();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                pixels.Slice(y * rgba.RowBytes + x * 4, 3).CopyTo(rgb.AsSpan((y * width + x) * 3));
        if (options.Preprocess == ImagePreprocess.Scale) return Tensor(rgb, width, 0, 0, width, height, options.Layout, null, null);

        // transforms.Resize(256): the shorter side becomes 256, the other int(256 * long / short) as torchvision computes it;
        // CenterCrop(224) starts at int(round((size - 224) / 2)).
        (int w, int h) = width <= height ? (ResizeTo, (int)((long)ResizeTo * height / width)) : ((int)((long)ResizeTo * width / height), ResizeTo);
        var resized = AntialiasedResize.Resize(rgb, width, height, w, h);
        int left = (int)Math.Round((w - CropTo) / 2.0, MidpointRounding.ToEven), top = (int)Math.Round((h - CropTo) / 2.0, MidpointRounding.ToEven);
        return Tensor(resized, w, left, top, CropTo, CropTo, options.Layout, ImagenetMean, ImagenetStd);
    }

    private static InputTensor Tensor(byte[] rgb, int stride, int left, int top, int width, int height, ImageLayout layout, float[]? mean, float[]? std)
    {
        var values = new float[3 * width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    float v = rgb[((top + y) * stride + left + x) * 3 + c] / 255f;
                    if (mean is not null) v = (v - mean[c]) / std![c];
                    values[layout == ImageLayout.Nchw ? (c * height + y) * width + x : (y * width + x) * 3 + c] = v;
                }
        return new InputTensor(values, layout == ImageLayout.Nchw ? [1, 3, height, width] : [1, height, width, 3]);
    }
}
