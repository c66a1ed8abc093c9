using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Formats.Keras;

/// <summary>
/// Keras' PReLU, whose alpha has the shape of its input without the batch axis, 1 on each shared axis ([H, W, C] after a
/// Conv2D, [1, 1, C] with shared_axes [1, 2], [C] after a Dense): channel j's slopes are alpha[…, j] where the model's
/// config keeps the channels last, and alpha reads as rows where nothing says which axis holds them
/// (tests/fixtures/make_keras.py make_prelu; the parts, outgoing weights and statistics are the oracles').
/// </summary>
public class KerasPReluTests
{
    private static string Fixture(string file) => Fixtures.Path("keras/" + file);

    [Fact]
    public void A_prelu_after_a_convolution_has_a_neuron_per_channel_whose_slopes_are_alpha_s_last_axis()
    {
        // Given prelu.h5: Conv2D(4) → PReLU() (alpha [4, 4, 4]) → Conv2D(3) 1×1 → PReLU(shared_axes=[1, 2]) → … Dense(5) → PReLU()
        using var model = Model.Open(Fixture("prelu.h5"));

        // When its PReLUs are read
        var prelu = model.Layer("p_re_lu");
        var slopes = model.Neuron("p_re_lu", 1).Parts.Single();

        // Then each has a neuron per channel of its input, channel j's slopes alpha[…, j]
        Assert.Equal(["conv2d", "p_re_lu", "conv2d_1", "p_re_lu_1", "dense", "p_re_lu_2", "dense_1"], model.Layers.Select(l => l.Name));
        Assert.Equal(("PReLU", 4L, "[4, 4, C] (channels last)", false), (prelu.Kind, prelu.NeuronCount, prelu.Layout, prelu.Assumed));
        Assert.Equal("Keras class PReLU", prelu.Evidence[0]);
        Assert.Contains("channel j's slopes are alpha[…, j]", prelu.Evidence[1]);
        Assert.Equal(("p_re_lu.alpha", "[:, :, 1]", PartRole.Slope), (slopes.Tensor, slopes.Index, slopes.Role));
        Assert.Equal([4L, 4L], slopes.Shape);
        Assert.Equal((3L, "[1, 1, C] (channels last)"), (model.Layer("p_re_lu_1").NeuronCount, model.Layer("p_re_lu_1").Layout));
        Assert.Equal((5L, "[C]"), (model.Layer("p_re_lu_2").NeuronCount, model.Layer("p_re_lu_2").Layout));
        Assert.Equal("[3]", model.Neuron("p_re_lu_2", 3).Parts.Single().Index);
    }

    [Fact]
    public void Show_prints_a_channel_s_slopes_as_the_slice_of_alpha_s_last_axis()
    {
        var run = CliRun.Of("show", Fixture("prelu.h5"), "p_re_lu", "1");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("layer p_re_lu (PReLU) · neuron 1 of 4 (0..3)", run.Stdout);
        Assert.Contains("p_re_lu.alpha[:, :, 1]  slope · [4, 4] float32", run.Stdout);
    }

    [Fact]
    public void The_convolution_before_a_prelu_reaches_its_consumer_through_its_channel_s_slopes()
    {
        using var model = Model.Open(Fixture("prelu.h5"));

        var edge = model.Graph.ConsumersOf(model.Layer("conv2d")).Single();
        var outgoing = model.Graph.WithOutgoing(model.Neuron("conv2d", 2)).Parts.Where(p => p.Direction != PartDirection.In)
            .Select(p => $"{p.Direction} {p.Tensor}{p.Index}");

        Assert.Equal(("conv2d_1", "p_re_lu"), (edge.Consumer.Name, string.Join(",", edge.Through.Select(t => t.Name))));
        Assert.Equal(["Through p_re_lu.alpha[:, :, 2]", "Out conv2d_1.kernel[:, :, 2, :]"], outgoing);
    }

    [Fact]
    public void One_alpha_every_channel_shares_is_passed_whole_on_the_way()
    {
        // Given prelu_flatten.keras (Keras 3): Conv2D(2) → PReLU(shared_axes=[1, 2, 3]), alpha [1, 1, 1] → Conv2D(2) 1×1 → …
        using var model = Model.Open(Fixture("prelu_flatten.keras"));

        var shared = model.Layer("p_re_lu");
        var through = model.Graph.WithOutgoing(model.Neuron("conv2d", 1)).Parts.Single(p => p.Direction == PartDirection.Through);

        Assert.Equal((1L, "[1, 1, 1]: the channel axis shared, every channel's"), (shared.NeuronCount, shared.Layout));
        Assert.Equal(("p_re_lu.alpha", "[:, :, 0]", true), (through.Tensor, through.Index, through.Shared));
    }

    [Fact]
    public void A_flatten_after_a_prelu_of_channels_last_output_leaves_neither_an_outgoing_slice()
    {
        // conv2d_1 → PReLU() (alpha [3, 3, 2]) → Flatten → Dense: channel j is the dense's inputs j, j + 2, …
        var conv = CliRun.Of("show", Fixture("prelu_flatten.keras"), "conv2d_1", "0", "--outgoing");
        var prelu = CliRun.Of("show", Fixture("prelu_flatten.keras"), "p_re_lu_1", "0", "--outgoing");

        Assert.Equal((2, 2), (conv.Exit, prelu.Exit));
        Assert.Contains("a Flatten of conv2d_1's channels-last output interleaves its channels", conv.Stderr);
        Assert.Contains("a Flatten of p_re_lu_1's channels-last output interleaves its channels", prelu.Stderr);
    }

    [Fact]
    public void An_alpha_after_channels_first_layers_reads_as_rows_saying_its_channel_axis_cannot_be_told()
    {
        // Given prelu_channels_first.h5: Conv2D(4, data_format channels_first) → PReLU() (alpha [4, 4, 4] = [C, H, W]) → Conv2D(2)
        using var model = Model.Open(Fixture("prelu_channels_first.h5"));

        var alpha = model.Layer("p_re_lu.alpha");
        var outgoing = CliRun.Of("show", Fixture("prelu_channels_first.h5"), "conv2d", "0", "--outgoing");
        var prune = CliRun.Of("prune", Fixture("prelu_channels_first.h5"), "conv2d", "0", "--dry-run");
        var rows = CliRun.Of("prune", Fixture("prelu_channels_first.h5"), "p_re_lu.alpha", "0", "--dry-run");

        Assert.Equal(["conv2d", "p_re_lu.alpha", "conv2d_1"], model.Layers.Select(l => l.Name));
        Assert.Equal(("Tensor", true), (alpha.Kind, alpha.Assumed));
        Assert.Contains("the model's config keeps the channels of conv2d first (data_format channels_first)", alpha.Evidence[0]);
        Assert.Contains("which one cannot be told: alpha is read as rows, not as a PReLU's channels", alpha.Evidence[0]);
        Assert.Equal((2, 2, 2), (outgoing.Exit, prune.Exit, rows.Exit));
        Assert.Contains("p_re_lu, a PReLU on the way, scales each channel by entries of p_re_lu.alpha, which is read as rows, not as its " +
            "channels (its evidence says why): which entries are channel j's is not known", outgoing.Stderr);
        Assert.Contains("which entries are channel j's is not known; pruning it would leave whatever reads it with inputs that no longer exist", prune.Stderr);
        // Its rows are no channels that conv2d_1 reads.
        Assert.Contains("layer 'p_re_lu.alpha' has no known consumer: p_re_lu is a PReLU, which scales the channels of the layer before it " +
            "and makes none, and p_re_lu.alpha is read as rows", rows.Stderr);
        Assert.Empty(model.Graph.ConsumersOf(alpha));
    }

    [Fact]
    public void Without_a_config_an_alpha_of_several_axes_reads_as_rows_and_kind_keras_prelu_reads_it_channels_last()
    {
        // Given prelu.weights.h5: Keras 3's save_weights of prelu.h5, no config: nothing says where the inputs keep their channels
        using var model = Model.Open(Fixture("prelu.weights.h5"));

        var rows = model.Layer("p_re_lu.alpha");
        var asked = CliRun.Of("show", Fixture("prelu.weights.h5"), "p_re_lu.alpha", "1", "--kind", "keras.PReLU");

        Assert.Equal(("Tensor", true), (rows.Kind, rows.Assumed));
        Assert.Contains("nothing says whether its input keeps its channels last (Keras' default) or first", rows.Evidence[0]);
        Assert.Contains("--kind keras.PReLU reads channel j as alpha[…, j]", rows.Evidence[0]);
        Assert.Equal("Tensor", model.Layer("p_re_lu_1.alpha").Kind);
        // alpha [5] after a Dense: its input has no axis but the channels
        Assert.Equal(("PReLU", 5L), (model.Layer("p_re_lu_2").Kind, model.Layer("p_re_lu_2").NeuronCount));
        Assert.True(asked.Exit == 0, asked.Stderr);
        Assert.Contains("p_re_lu.alpha[:, :, 1]  slope · [4, 4] float32", asked.Stdout);
    }

    [Fact]
    public void Stats_measure_each_channel_s_slopes()
    {
        var run = CliRun.Of("stats", Fixture("prelu.h5"), "p_re_lu");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("p_re_lu (PReLU, 4 neurons, 16 weights each)", run.Stdout);
    }
}
