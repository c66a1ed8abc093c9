using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// A convolution one file keeps channels last (Flax's and Keras' kernel [k…, in, out]) against the same convolution
/// kept channels first (PyTorch's weight [out, in, k…]): B's slices read in A's axis order, against numpy's table of
/// tests/fixtures/flax/expected_diff.json (make_flax.py).
/// </summary>
public class DiffChannelsLastTests
{
    private static readonly JsonElement Pairs =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("flax/expected_diff.json"))).RootElement.GetProperty("pairs");

    [Fact]
    public void A_PyTorch_conv_against_Flax_s_channels_last_kernel_gives_numpy_s_table_neuron_by_neuron()
    {
        using var a = Model.Open(Fixtures.Path("flax/checkpoint_torch.pt"));
        using var b = Model.Open(Fixtures.Path("flax/checkpoint.msgpack"));

        var diff = ModelDiff.Compute(a, b);

        Assert.Empty(diff.Mismatched);
        var expected = Pairs.GetProperty("checkpoint_torch.pt → checkpoint.msgpack");
        Assert.Equal(expected.EnumerateObject().Select(l => l.Name).Order(), diff.Layers.Select(l => l.A.Name).Order());
        foreach (var layer in diff.Layers)
            foreach (var (n, row) in layer.Neurons.Zip(expected.GetProperty(layer.A.Name).EnumerateArray()))
                foreach (var (key, got) in (ReadOnlySpan<(string, double)>)[("l2_delta", n.L2Delta), ("relative", n.Relative), ("cosine", n.Cosine),
                             ("max_abs", n.MaxAbs), ("bias_delta", n.BiasDelta ?? double.NaN)])
                {
                    double want = row.GetProperty(key).GetDouble();
                    Assert.True(Math.Abs(got - want) <= 1e-12 * Math.Max(1, Math.Abs(want)), $"{layer.A.Name}[{n.Index}] {key}: want {want}, got {got}");
                }
        Assert.Equal("B's channels-last kernel read as [in, k…]", diff.Layers.Single(l => l.A.Name == "Conv_0").BAxes!.Name);
        Assert.All(diff.Layers.Where(l => l.A.Name != "Conv_0"), l => Assert.Null(l.BAxes));
    }

    [Fact]
    public void The_other_way_round_Flax_s_kernel_is_A_and_PyTorch_s_weight_is_read_channels_last()
    {
        using var a = Model.Open(Fixtures.Path("flax/checkpoint.msgpack"));
        using var b = Model.Open(Fixtures.Path("flax/checkpoint_torch.pt"));

        var conv = ModelDiff.Compute(a, b, "Conv_0").Layers[0];

        var expected = Pairs.GetProperty("checkpoint_torch.pt → checkpoint.msgpack").GetProperty("Conv_0").EnumerateArray().ToList();
        Assert.Equal("B's kernel read channels last, as [k…, in]", conv.BAxes!.Name);
        Assert.Equal(expected.Select(r => r.GetProperty("l2_delta").GetDouble()), conv.Neurons.Select(n => n.L2Delta), new Within(1e-12));
        Assert.Equal(expected.Select(r => r.GetProperty("max_abs").GetDouble()), conv.Neurons.Select(n => n.MaxAbs), new Within(1e-12));
    }

    [Fact]
    public void A_grouped_conv1d_s_kernel_pairs_with_its_PyTorch_weight_only_in_the_right_order()
    {
        // Given a PyTorch Conv1d(2, 4, 3, groups=2) weight [4, 1, 3] and the same values as a channels-last kernel [3, 1, 4]
        double[] weight = [.. Enumerable.Range(0, 12).Select(i => Math.Sin(i + 1))];
        double[] kernel = new double[12];
        for (int j = 0; j < 4; j++)
            for (int k = 0; k < 3; k++)
                kernel[k * 4 + j] = weight[j * 3 + k];
        using var a = new CheckpointBuilder().Values("conv.weight", DType.Float64, [4, 1, 3], weight).Values("conv.bias", DType.Float64, [4], [1, 2, 3, 4]).Model();
        using var b = new CheckpointBuilder().Values("conv.kernel", DType.Float64, [3, 1, 4], kernel).Values("conv.bias", DType.Float64, [4], [1, 2, 3, 4]).Model();

        // When they are compared
        var conv = Assert.Single(ModelDiff.Compute(a, b).Layers);

        // Then every neuron is the same (a value read in another order would not be, the sines being all different)
        Assert.All(conv.Neurons, n => Assert.Equal((0.0, 0.0), (n.L2Delta, n.MaxAbs)));
        // neuron j's kernel[:, :, j] is [k, in/groups]: its two axes swapped give weight[j]'s [in/groups, k]
        Assert.Equal([1, 0], conv.BAxes!.Axes);
    }

    [Fact]
    public void A_conv_of_one_filter_compared_neuron_by_neuron_is_read_in_A_s_order_too()
    {
        // Given one filter [1, 2, 2, 2] in PyTorch's layout and as a channels-last kernel [2, 2, 2, 1] (a layer of one
        // neuron has no plan: it is read neuron by neuron)
        double[] weight = [.. Enumerable.Range(0, 8).Select(i => Math.Cos(i + 1))];
        double[] kernel = new double[8];
        for (int i = 0; i < 2; i++)
            for (int h = 0; h < 2; h++)
                for (int w = 0; w < 2; w++)
                    kernel[(h * 2 + w) * 2 + i] = weight[(i * 2 + h) * 2 + w];
        using var a = new CheckpointBuilder().Values("conv.weight", DType.Float64, [1, 2, 2, 2], weight).Values("conv.bias", DType.Float64, [1], [0.5]).Model();
        using var b = new CheckpointBuilder().Values("conv.kernel", DType.Float64, [2, 2, 2, 1], kernel).Values("conv.bias", DType.Float64, [1], [0.5]).Model();

        var neuron = Assert.Single(Assert.Single(ModelDiff.Compute(a, b).Layers).Neurons);

        Assert.Equal((0.0, 0.0), (neuron.L2Delta, neuron.MaxAbs));
    }

    [Fact]
    public void A_transposed_convolution_s_channels_last_kernel_pairs_with_PyTorch_s_weight()
    {
        // Given ConvTranspose2d(2, 3, 2)'s weight [in 2, out 3, 2, 2] and the same values as Keras' kernel [2, 2, out 3, in 2]
        double[] weight = [.. Enumerable.Range(0, 24).Select(i => Math.Sin(i + 1))];
        double[] kernel = new double[24];
        for (int i = 0; i < 2; i++)
            for (int o = 0; o < 3; o++)
                for (int h = 0; h < 2; h++)
                    for (int w = 0; w < 2; w++)
                        kernel[((h * 2 + w) * 3 + o) * 2 + i] = weight[((i * 3 + o) * 2 + h) * 2 + w];
        using var a = new CheckpointBuilder().Values("up.weight", DType.Float64, [2, 3, 2, 2], weight).Values("up.bias", DType.Float64, [3], [1, 2, 3]).Model();
        using var b = new CheckpointBuilder().Values("up.kernel", DType.Float64, [2, 2, 3, 2], kernel).Values("up.bias", DType.Float64, [3], [1, 2, 3])
            .Class("up", "keras.layers.Conv2DTranspose").Model();

        var up = Assert.Single(ModelDiff.Compute(a, b).Layers);

        Assert.Equal(("ConvTranspose2d", "B's channels-last kernel read as [in, k…]"), (up.Kind, up.BAxes!.Name));
        Assert.All(up.Neurons, n => Assert.Equal((0.0, 0.0), (n.L2Delta, n.MaxAbs)));
    }

    [Fact]
    public void A_depthwise_kernel_s_slices_are_PyTorch_s_less_a_dimension_of_one()
    {
        // Given a depthwise Conv2d(2, 4, 3, groups=2) weight [4, 1, 3, 3] and Keras' DepthwiseConv2D kernel [3, 3, in 2,
        // multiplier 2], output channel c·2 + k being kernel[:, :, c, k]
        double[] weight = [.. Enumerable.Range(0, 36).Select(i => Math.Sin(i + 1))];
        double[] kernel = new double[36];
        for (int j = 0; j < 4; j++)
            for (int h = 0; h < 3; h++)
                for (int w = 0; w < 3; w++)
                    kernel[(h * 3 + w) * 4 + j] = weight[(j * 3 + h) * 3 + w];
        using var a = new CheckpointBuilder().Values("dw.weight", DType.Float64, [4, 1, 3, 3], weight).Values("dw.bias", DType.Float64, [4], [1, 2, 3, 4]).Model();
        using var b = new CheckpointBuilder().Values("dw.depthwise_kernel", DType.Float64, [3, 3, 2, 2], kernel).Values("dw.bias", DType.Float64, [4], [1, 2, 3, 4])
            .Class("dw", "keras.layers.DepthwiseConv2D").Model();

        var diff = ModelDiff.Compute(a, b);

        var dw = Assert.Single(diff.Layers);
        Assert.Empty(diff.Mismatched);
        Assert.Null(dw.BAxes);
        Assert.All(dw.Neurons, n => Assert.Equal((0.0, 0.0), (n.L2Delta, n.MaxAbs)));
    }

    [Fact]
    public void The_json_names_the_reading_and_the_side_by_side_shows_B_in_A_s_order()
    {
        var json = CliRun.Of("diff", Fixtures.Path("flax/checkpoint_torch.pt"), Fixtures.Path("flax/checkpoint.msgpack"), "--json");
        var single = CliRun.Of("diff", Fixtures.Path("flax/checkpoint_torch.pt"), Fixtures.Path("flax/checkpoint.msgpack"), "Conv_0", "2", "--full");

        using var document = JsonDocument.Parse(json.Stdout);
        var layers = document.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["Conv_0"], layers.Where(l => l.TryGetProperty("b_axes", out _)).Select(l => l.GetProperty("name").GetString()));
        Assert.Equal("B's channels-last kernel read as [in, k…]", layers.Single(l => l.GetProperty("name").GetString() == "Conv_0").GetProperty("b_axes").GetString());
        // Filter 2 was negated: B's column is A's with the sign turned, position by position.
        var rows = single.Stdout.Split('\n').Where(l => l.TrimStart().StartsWith('[') && l.Contains(']')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(18 + 1, rows.Count); // the kernel's 2 × 3 × 3 weights, then the bias
        Assert.All(rows.Take(18), r => Assert.Equal(-double.Parse(r[^3], System.Globalization.CultureInfo.InvariantCulture), double.Parse(r[^2], System.Globalization.CultureInfo.InvariantCulture)));
    }

    private sealed class Within(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
