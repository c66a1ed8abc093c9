using NeuronKit.Stats;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Stats;

/// <summary>Walking a layer by part plans reads exactly the slices the layer's own neurons name.</summary>
public class LayerPlanTests
{
    public static IEnumerable<object[]> LayerNames => StatsExpectedJson.LayerNames;

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void A_plan_predicts_every_part_of_every_neuron_or_the_layer_is_walked_neuron_by_neuron(string name)
    {
        using var model = Model.Open(StatsExpectedJson.Checkpoint);
        var layer = model.Layer(name);

        var plans = LayerPlan.TryCreate(layer);

        if (layer.Kind.StartsWith("ConvTranspose", StringComparison.Ordinal))
        {
            Assert.Null(plans);
            return;
        }
        Assert.NotNull(plans);
        for (long j = 0; j < layer.NeuronCount; j++)
        {
            var parts = layer.Neuron(j).Parts;
            Assert.Equal(parts.Count, plans.Length);
            for (int k = 0; k < parts.Count; k++) Assert.True(plans[k].Predicts(parts[k], j), $"{name}[{j}] part {k}");
        }
    }

    [Theory]
    [InlineData("BatchNormalization", 4)]
    [InlineData("InstanceNormalization", 2)]
    [InlineData("LayerNormalization", 2)]
    [InlineData("LSTM", 0)]
    public void Every_kind_whose_slices_step_evenly_is_planned_whatever_its_kind_is_called(string op, int perChannel)
    {
        // Given an ONNX node of that operator (a norm over 6 channels, or an LSTM with H = 6)
        var builder = new CheckpointBuilder();
        string[] inputs = ["x", .. Enumerable.Range(0, perChannel).Select(i => $"p{i}")];
        foreach (string input in inputs[1..]) builder.Tensor(input, 6);
        if (op == "LSTM")
        {
            builder.Tensor("W", 1, 24, 3).Tensor("R", 1, 24, 6).Tensor("B", 1, 48);
            inputs = ["x", "W", "R", "B"];
        }
        using var model = builder.Node(op, "n", inputs, ["y"], ints: op == "LSTM" ? new() { ["hidden_size"] = 6 } : null).Model();
        var layer = model.Layer("n");

        // When it is planned, then the plan names every neuron's parts
        var plans = LayerPlan.TryCreate(layer);
        Assert.NotNull(plans);
        for (long j = 0; j < layer.NeuronCount; j++)
            Assert.All(layer.Neuron(j).Parts.Zip(plans), p => Assert.True(p.Second.Predicts(p.First, j)));
    }

    [Fact]
    public void Many_blocks_on_many_threads_give_the_same_numbers_as_one_thread()
    {
        // Given a layer of 3,000 neurons of 700 weights: many 1 MiB blocks of neurons
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3000, 700).Tensor("fc.bias", 3000).Model();
        var layer = model.Layer("fc");

        // When it is measured on one thread and on four
        var one = LayerStats.Compute(layer, new StatsOptions { Parallelism = 1 });
        var four = LayerStats.Compute(layer, new StatsOptions { Parallelism = 4 });

        // Then the numbers are identical, and right: row j holds 700j, …, 700j + 699
        Assert.Equal(one.Neurons, four.Neurons);
        Assert.Equal(700.0 * 2999 + 699, four.Neurons[2999].Max);
        Assert.Equal(700.0 * 5 + 349.5, four.Neurons[5].Mean, 1e-9);
        Assert.Equal(3000L * 700 * 4 + 3000 * 4, four.BytesRead);
    }

    [Fact]
    public void Rows_too_large_to_load_with_their_block_are_streamed_with_the_same_numbers()
    {
        // Given rows of 2,200,000 weights (8.8 MB, beyond what a block loads up front) and their biases
        const long width = 2_200_000;
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, width).Tensor("fc.bias", 3).Model();

        var stats = LayerStats.Compute(model.Layer("fc"));

        // Then each row is measured whole: row j holds width·j, …, width·j + width - 1
        for (int j = 0; j < 3; j++)
        {
            var n = stats.Neurons[j];
            Assert.Equal(width, n.Weights);
            Assert.Equal(width * j, n.Min);
            Assert.Equal(width * j + width - 1, n.Max);
            Assert.Equal(width * j + (width - 1) / 2.0, n.Mean, (width * j + width) * 1e-6);
            Assert.Equal(j, n.Bias);
        }
        Assert.Equal(3 * width * 4 + 3 * 4, stats.BytesRead);
    }

    [Fact]
    public void Progress_reports_every_byte_read()
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 500, 900).Model();
        long reported = 0;

        var stats = ModelStats.Compute(model, new StatsOptions { Progress = b => Interlocked.Add(ref reported, b) });

        Assert.Equal(stats.BytesRead, reported);
        Assert.Equal(ModelStats.BytesToRead(model.Layers), reported);
    }
}
