using NeuronKit.Activations;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Onnx;
using static NeuronKit.Tests.Activations.ActivationFixtures;

namespace NeuronKit.Tests.Activations;

/// <summary>Pictures as inputs: torchvision's ImageNet transform, and a real model (ResNet18) on a real photograph.</summary>
public sealed class ActImageTests
{
    // Measured: SkiaSharp decodes grace_hopper.jpg to the same pixels as Pillow, and the resize follows Pillow's
    // fixed-point filter, so the tensor agrees with torchvision to float32 rounding (max 1e-6 seen); the bound leaves a
    // little room for a libjpeg that rounds one pixel differently.
    private const double TensorTolerance = 1e-5;

    [Fact]
    public void Imagenet_preprocessing_gives_torchvisions_tensor()
    {
        // Given
        var expected = Section("image").GetProperty("torchvision");

        // When
        var tensor = InputFiles.ReadFile(Path("grace_hopper.jpg"), new ImageOptions(ImagePreprocess.Imagenet));

        // Then
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), tensor.Shape);
        foreach (var sample in expected.GetProperty("samples").EnumerateArray())
        {
            int c = sample[0].GetInt32(), y = sample[1].GetInt32(), x = sample[2].GetInt32();
            double want = sample[3].GetDouble(), got = tensor.Values[(c * 224 + y) * 224 + x];
            Assert.True(Math.Abs(want - got) <= TensorTolerance, $"[{c}, {y}, {x}]: {got}, torchvision {want}");
        }
        for (int c = 0; c < 3; c++)
        {
            double mean = tensor.Values.AsSpan(c * 224 * 224, 224 * 224).ToArray().Average(v => (double)v);
            Assert.True(Math.Abs(mean - expected.GetProperty("channel_mean")[c].GetDouble()) <= TensorTolerance, $"channel {c} mean {mean}");
        }
    }

    [Fact]
    public void An_rgba_pngs_colours_are_read_as_stored_not_multiplied_by_its_alpha()
    {
        // Given: rows of alpha 0, 255 and 128, and what torchvision's ToTensor makes of Pillow's convert("RGB")
        var expected = Section("rgba");

        // When
        var tensor = InputFiles.ReadFile(Path(expected.GetProperty("file").GetString()!), new ImageOptions(ImagePreprocess.Scale));

        // Then: each value is the stored byte / 255, exactly
        Assert.Equal([1L, 3, 8, 8], tensor.Shape);
        var rgb = expected.GetProperty("tensor");
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                    Assert.True(rgb[c][y][x].GetSingle() == tensor.Values[(c * 8 + y) * 8 + x],
                        $"[{c}, {y}, {x}]: {tensor.Values[(c * 8 + y) * 8 + x]}, torchvision {rgb[c][y][x]}");
    }

    [Fact]
    public void Nhwc_puts_the_channels_last()
    {
        var nchw = InputFiles.ReadFile(Path("cnn_picture.png"), new ImageOptions(ImagePreprocess.Scale, ImageLayout.Nchw));
        var nhwc = InputFiles.ReadFile(Path("cnn_picture.png"), new ImageOptions(ImagePreprocess.Scale, ImageLayout.Nhwc));

        Assert.Equal([1L, 8, 8, 3], nhwc.Shape);
        Assert.Equal(nchw.Values[(2 * 8 + 5) * 8 + 7], nhwc.Values[(5 * 8 + 7) * 3 + 2]);
    }

    [Fact]
    public void Resnet18s_first_convolution_on_the_photograph_is_what_pytorch_computes_with_its_weights()
    {
        // Given
        var expected = Section("resnet18");

        // When
        var run = CliRun.Of("act", OnnxExpected.ResNet18Path, expected.GetProperty("layer").GetString()!, expected.GetProperty("index").GetInt64().ToString(),
            "--input", Path("grace_hopper.jpg"), "--preprocess", "imagenet", "--json");

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        var entry = Json(run.Stdout).GetProperty("activations")[0];
        Assert.Equal("grace_hopper.jpg", entry.GetProperty("input").GetString());
        Assert.Equal(Shape(expected.GetProperty("shape")), Shape(entry.GetProperty("shape")));
        AssertClose(expected.GetProperty("mean"), entry.GetProperty("mean"), 1e-5, "mean");
        AssertClose(expected.GetProperty("max"), entry.GetProperty("max"), 1e-4, "max");
        var values = entry.GetProperty("values");
        foreach (var sample in expected.GetProperty("samples").EnumerateArray())
            AssertClose(sample[2], values[sample[0].GetInt32()][sample[1].GetInt32()], 1e-4, $"[{sample[0]}, {sample[1]}]");
    }

    [Fact]
    public void A_picture_of_the_wrong_size_says_what_the_model_expects()
    {
        var run = CliRun.Of("act", OnnxExpected.ResNet18Path, "Convolution249", "0", "--input", Path("grace_hopper.jpg"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("[1, 3, 600, 512]", run.Stderr);
        Assert.Contains("expects [1, 3, 224, 224]", run.Stderr);
    }
}
