namespace NeuronKit.Activations;

/// <summary>
/// Resizes 8-bit RGB pixels as Pillow's <c>Image.resize(size, BILINEAR)</c> does, which is what torchvision's
/// <c>Resize</c> runs on a PIL image: a triangle filter widened by the scale when shrinking (antialiasing), the
/// horizontal pass first, each pass rounded to 8 bits with 22-bit fixed-point weights (Pillow's Resample.c).
/// </summary>
internal static class AntialiasedResize
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>The <paramref name="width"/>×<paramref name="height"/> RGB pixels resized to <paramref name="newWidth"/>×<paramref name="newHeight"/>.</summary>
    public static byte[] Resize(byte[] rgb, int width, int height, int newWidth, int newHeight)
    {
        var rows = Pass(rgb, width, height, newWidth, horizontal: true);
        return Pass(rows, newWidth, height, newHeight, horizontal: false);
    }

    private static byte[] Pass(byte[] source, int width, int height, int newSize, bool horizontal)
    {
        int inSize = horizontal ? width : height;
        var (starts, weights) = Coefficients(inSize, newSize);
        int outWidth = horizontal ? newSize : width, outHeight = horizontal ? height : newSize;
        var result = new byte[outWidth * outHeight * 3];
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
            {
                int o = horizontal ? x : y;
                for (int c = 0; c < 3; c++)
                {
                    long sum = 1L << (PrecisionBits - 1);
                    for (int i = 0; i < weights[o].Length; i++)
                    {
                        int at = horizontal ? (y * width + starts[o] + i) * 3 + c : ((starts[o] + i) * width + x) * 3 + c;
                        sum += weights[o][i] * source[at];
                    }
                    result[(y * outWidth + x) * 3 + c] = (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);
                }
            }
        return result;
    }

    // Pillow's precompute_coeffs with the bilinear filter (support 1), then normalize_coeffs_8bpc.
    private static (int[] Starts, long[][] Weights) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale;
        var starts = new int[outSize];
        var weights = new long[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int count = Math.Min((int)(center + support + 0.5), inSize) - min;
            var w = new double[count];
            double total = 0;
            for (int i = 0; i < count; i++)
            {
                double d = Math.Abs((i + min - center + 0.5) / filterScale);
                w[i] = d < 1 ? 1 - d : 0;
                total += w[i];
            }
            starts[o] = min;
            weights[o] = [.. w.Select(v => total == 0 ? 0L : (long)Math.Round(v / total * (1 << PrecisionBits), MidpointRounding.AwayFromZero))];
        }
        return (starts, weights);
    }
}
