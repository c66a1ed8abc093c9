namespace NeuronKit.Tests.Cli;

/// <summary>
/// <c>neuron render</c>: a PNG written through a temporary file beside the target, nothing on stdout; a wrong request
/// exits 2 and a file or folder that cannot be read or written exits 3, with one error line and never a stack trace.
/// </summary>
public class RenderCommandTests
{
    private static readonly string Conv = Fixtures.PyTorch("seed_conv.pt");
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Theory]
    [InlineData("conv1", "3")]
    [InlineData("conv1", "3", "--rgb", "--scale", "5")]
    [InlineData("conv1")]
    [InlineData("conv1", "--hist")]
    [InlineData("fc", "0", "--shape", "4,4")]
    [InlineData("fc", "--shape", "4,4")]
    public void It_writes_a_PNG_and_leaves_nothing_else_beside_it(params string[] request)
    {
        // Given an empty folder
        using var folder = new TempFile("placeholder", []);
        File.Delete(folder.Path);
        string output = Path.Combine(Path.GetDirectoryName(folder.Path)!, "out.png");

        // When a picture is rendered into it
        var run = CliRun.Of(["render", Conv, .. request, "-o", output]);

        // Then it exits 0, prints nothing, and the folder holds the PNG only
        Assert.Equal((0, "", ""), (run.Exit, run.Stdout, run.Stderr));
        Assert.Equal(PngSignature, File.ReadAllBytes(output)[..8]);
        Assert.Equal([output], Directory.GetFiles(Path.GetDirectoryName(output)!));
    }

    [Theory]
    [InlineData(2, "error: no layer 'conv9'", "conv9", "0")]
    [InlineData(2, "error: neuron 16 is out of range for layer 'conv1' (Conv2d, 16 neurons: 0..15, or -16..-1)", "conv1", "16")]
    [InlineData(2, "error: --shape '28x28' is not H,W (two positive integers, e.g. 28,28)", "fc", "0", "--shape", "28x28")]
    [InlineData(2, "error: --shape 3,3 holds 9 weights, and no part of neuron 0 of 'fc' is a row of that many", "fc", "0", "--shape", "3,3")]
    [InlineData(2, "error: --scale 0 is not a number of pixels from 1 to 256", "conv1", "0", "--scale", "0")]
    [InlineData(2, "error: --outgoing draws a neuron's outgoing weights; give INDEX", "conv1", "--outgoing")]
    [InlineData(2, "error: --consumer names the consumers of --outgoing; add --outgoing", "conv1", "0", "--consumer", "fc")]
    [InlineData(2, "error: --hist draws a whole layer's histograms; leave out INDEX", "conv1", "0", "--hist")]
    [InlineData(2, "error: --rgb draws filters of 3 input channels as colour images, and the filters of 'fc' (Linear) are [16]", "fc", "--rgb")]
    public void A_wrong_request_exits_2_and_writes_nothing(int exit, string error, params string[] request)
    {
        using var folder = new TempFile("placeholder", []);
        string output = Path.Combine(Path.GetDirectoryName(folder.Path)!, "out.png");

        var run = CliRun.Of(["render", Conv, .. request, "-o", output]);

        Assert.Equal(exit, run.Exit);
        Assert.Equal(error, run.Stderr.Split('\n')[0]);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Without_an_output_the_command_line_is_wrong()
    {
        var run = CliRun.Of("render", Conv, "conv1", "0");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--output", run.Stderr.Split('\n')[0]);
        Assert.Contains("hint: usage: neuron render FILE LAYER [INDEX] --output OUT.png", run.Stderr);
    }

    [Fact]
    public void An_output_folder_that_does_not_exist_exits_3_naming_it()
    {
        string output = Path.Combine(Path.GetTempPath(), "neuronkit-no-such-folder-" + Guid.NewGuid().ToString("N"), "out.png");

        var run = CliRun.Of("render", Conv, "conv1", "0", "-o", output);

        Assert.Equal(3, run.Exit);
        Assert.Equal($"error: {output} cannot be written: its folder {Path.GetDirectoryName(output)} does not exist", run.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public void A_bad_file_exits_3()
    {
        using var folder = new TempFile("placeholder", []);
        string output = Path.Combine(Path.GetDirectoryName(folder.Path)!, "out.png");

        var run = CliRun.Of("render", Fixtures.PyTorch("truncated.pt"), "x", "0", "-o", output);

        Assert.Equal(3, run.Exit);
        Assert.StartsWith("error: truncated.pt is truncated", run.Stderr);
        Assert.False(File.Exists(output));
    }
}
