using System.Buffers.Binary;
using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// A diff where weights or biases are NaN (or infinite) in one file or both: the layer's largest change as numpy's max
/// gives it, and which neurons count as changed, as <c>np.array_equal(a, b, equal_nan=True)</c> tells them.
/// </summary>
public class DiffNaNTests
{
    // A Linear(3, 4)'s weights 0, 1, 2, … row by row, and its biases 10, 11, 12, 13.
    private static double[] Weights() => [.. Enumerable.Range(0, 12).Select(i => (double)i)];

    private static double[] Biases() => [10, 11, 12, 13];

    private static LayerDiff Compare(double[] a, double[] b, DType? dtype = null, double[]? biasA = null, double[]? biasB = null)
    {
        Model Build(double[] weight, double[]? bias)
        {
            var builder = new CheckpointBuilder().Values("fc.weight", dtype ?? DType.Float32, [4, 3], weight);
            if (bias is not null) builder.Values("fc.bias", dtype ?? DType.Float32, [4], bias);
            return builder.Model();
        }
        using var modelA = Build(a, biasA);
        using var modelB = Build(b, biasB);
        return LayerDiff.Compute(modelA.Layer("fc"), modelB.Layer("fc"));
    }

    // The weights with neuron 2's first moved by 1 and the given weights set to NaN.
    private static double[] MovedWithNaN(params int[] nans)
    {
        var b = Weights();
        b[2 * 3] += 1;
        foreach (int at in nans) b[at] = double.NaN;
        return b;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void A_NaN_change_makes_the_layer_s_largest_change_NaN_whichever_neuron_holds_it(int neuron)
    {
        // Given a layer whose neuron 2 moved by 1 and one other neuron became NaN, before it or after it
        var diff = Compare(Weights(), MovedWithNaN(neuron * 3));

        // Then that neuron's largest change is NaN, and so is the layer's, as numpy's max of the whole difference
        Assert.True(double.IsNaN(diff.Neurons[neuron].MaxAbs));
        Assert.Equal(1, diff.Neurons[2].MaxAbs);
        Assert.True(double.IsNaN(diff.MaxAbs));
    }

    [Fact]
    public void Without_a_NaN_the_layer_s_largest_change_is_its_neurons_largest()
    {
        var diff = Compare(Weights(), MovedWithNaN());

        Assert.Equal(1, diff.MaxAbs);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_neuron_whose_weight_became_NaN_changed_and_is_most_changed_after_every_number(DType dtype)
    {
        // Given neuron 2 moved by 1 and neuron 0's last weight NaN in B (float32 and float64 go through different kernels)
        var diff = Compare(Weights(), MovedWithNaN(2), dtype);

        // Then both changed, the NaN one listed after the one with a number, as --sort relative puts NaN last
        Assert.Equal((true, true, false, false), (diff.Neurons[0].Changed, diff.Neurons[2].Changed, diff.Neurons[1].Changed, diff.Neurons[3].Changed));
        Assert.True(double.IsNaN(diff.Neurons[0].Relative));
        Assert.Equal(2, diff.Changed);
        Assert.Equal([2L, 0], diff.MostChanged);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_NaN_in_both_files_or_the_same_infinity_in_both_is_no_change_and_a_NaN_in_A_alone_is_one(DType dtype)
    {
        // Given A with NaN in neurons 0 and 1 and an infinity in neuron 3; B with the same NaN in neuron 0, neuron 1's
        // NaN now a number, neuron 3's infinity kept, and only neuron 2 moved
        var a = Weights();
        a[1] = a[4] = double.NaN;
        a[10] = double.PositiveInfinity;
        var b = MovedWithNaN(1);
        b[10] = double.PositiveInfinity;

        var diff = Compare(a, b, dtype);

        // Then NaN against NaN and the infinity against itself are no change (their differences are NaN all the same)
        Assert.True(double.IsNaN(diff.Neurons[0].L2Delta) && double.IsNaN(diff.Neurons[3].L2Delta));
        Assert.Equal([false, true, true, false], diff.Neurons.Select(n => n.Changed));
        Assert.Equal(2, diff.Changed);
        Assert.Equal([2L, 1], diff.MostChanged);
    }

    [Fact]
    public void A_bias_that_became_NaN_is_a_change_and_one_NaN_in_both_is_not()
    {
        // Given equal weights; bias 0 NaN in both files, bias 1 NaN in B only, bias 2 moved
        double[] biasA = [double.NaN, 11, 12, 13], biasB = [double.NaN, double.NaN, 12.5, 13];

        var diff = Compare(Weights(), Weights(), biasA: biasA, biasB: biasB);

        // Then neurons 1 and 2 changed; neither's weights did, so none is among the most changed
        Assert.Equal([false, true, true, false], diff.Neurons.Select(n => n.Changed));
        Assert.All(diff.Neurons, n => Assert.False(n.WeightsChanged));
        Assert.Equal(2, diff.Changed);
        Assert.Empty(diff.MostChanged);
    }

    [Fact]
    public void Text_and_json_count_a_neuron_that_became_NaN_as_changed_alike()
    {
        // Given two safetensors files of the layer, neuron 2 moved by 1 and neuron 0 NaN in B
        using var a = LinearFile("a.safetensors", Weights(), Biases());
        using var b = LinearFile("b.safetensors", MovedWithNaN(0), Biases());

        // When they are diffed for reading and as JSON
        var text = CliRun.Of("diff", a.Path, b.Path);
        var json = CliRun.Of("diff", a.Path, b.Path, "--json");

        // Then both say two neurons changed, the NaN one last among the most changed, and the layer's max |Δ| NaN
        Assert.Contains("2 of 4 changed; ‖ΔW‖ nan (relative -), max |Δ| nan,", text.Stdout);
        Assert.Contains("most changed: 2, 0", text.Stdout);
        Assert.Contains("model: 2 neurons of 4 changed", text.Stdout);
        using var doc = JsonDocument.Parse(json.Stdout);
        var summary = doc.RootElement.GetProperty("layers")[0].GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("changed").GetInt32());
        Assert.Equal("[2,0]", summary.GetProperty("most_changed").GetRawText());
        Assert.Equal("NaN", summary.GetProperty("max_abs").GetString());
    }

    // A safetensors file of fc.weight [4, 3] and fc.bias [4] in float32.
    private static TempFile LinearFile(string name, double[] weight, double[] bias)
    {
        string header = "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[48,64]}}";
        var data = new byte[64];
        double[] values = [.. weight, .. bias];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (float)values[i]);
        return new TempFile(name, SafetensorsBytes.Build(header, data));
    }
}
