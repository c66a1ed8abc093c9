using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Formats.Keras;

/// <summary>
/// A per-channel layer after a channels-last one keeps its channels last: a Flatten of a BatchNormalization after a Conv2D
/// interleaves them as the Conv2D's own Flatten does (channel j is the Dense's inputs j, j + C, …), so neither has an
/// outgoing slice; keras_flatten/bn_flatten.h5 is make_keras_bn_flatten.py's.
/// </summary>
public class KerasNormFlattenTests
{
    [Fact]
    public void A_flatten_after_a_batch_norm_of_a_conv_leaves_neither_an_outgoing_slice()
    {
        // Given conv2d (2 filters) → BatchNormalization → Flatten → Dense, whose kernel [18, 3] reads channel j at rows j, j + 2, …
        string file = Fixtures.Path("keras_flatten/bn_flatten.h5");

        var norm = CliRun.Of("show", file, "batch_normalization", "0", "--outgoing");
        var conv = CliRun.Of("show", file, "conv2d", "0", "--outgoing");

        // Then both are refused, saying why, and no slice of consecutive rows is given as channel 0's
        Assert.Equal((2, 2), (norm.Exit, conv.Exit));
        Assert.Contains("a Flatten of batch_normalization's channels-last output interleaves its channels: channel j is inputs j, j + 2, … of dense", norm.Stderr);
        Assert.Contains("a Flatten of conv2d's channels-last output interleaves its channels", conv.Stderr);
        Assert.DoesNotContain("dense.kernel[0:9]", norm.Stdout);
    }
}
