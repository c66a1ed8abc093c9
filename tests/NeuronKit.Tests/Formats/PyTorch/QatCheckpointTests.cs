using System.Text.Json;
using NeuronKit.Edits;
using NeuronKit.Stats;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>
/// Quantization-aware training checkpoints (qat/, make_qat.py): each module's fake quantization and observer buffers
/// are kept with its layer, part of no neuron, a QuantStub's make a layer without neurons, and a prune cuts a weight's
/// per-channel state with its channels, as the pinned, torch-judged files.
/// </summary>
public class QatCheckpointTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("qat/expected.json"))).RootElement.Clone();

    [Theory]
    [InlineData("mlp.pt")]
    [InlineData("cnn.pt")]
    [InlineData("fused.pt")]
    public void Fake_quantization_buffers_belong_to_their_module_and_to_no_neuron(string file)
    {
        using var model = Model.Open(Fixtures.Path($"qat/{file}"));

        var want = Expected.GetProperty("layers").GetProperty(file).EnumerateArray()
            .Select(l => (l.GetProperty("name").GetString(), l.GetProperty("kind").GetString(), l.GetProperty("neurons").GetInt64()));
        Assert.Equal(want, model.Layers.Select(l => ((string?)l.Name, (string?)l.Kind, l.NeuronCount)));
        // Every tensor of the file is some layer's, and a neuron's parts are its weight row and bias alone.
        Assert.Equal(model.Checkpoint.Tensors.Count, model.Layers.Sum(l => l.Tensors.Count));
        Assert.Equal(["weight", "bias"], model.Neuron("1", 0).Parts.Select(p => p.Role.Name));
        Assert.Contains(model.Layer("1").Tensors, t => t.Tensor.Name == "1.weight_fake_quant.scale" && t.Tensor.Shape.SequenceEqual([model.Layer("1").NeuronCount]));
        Assert.Contains("1.weight_fake_quant.* (7 tensors) fake-quantizes its weight in quantization-aware training", string.Join(" ", model.Layer("1").Evidence));
    }

    [Fact]
    public void A_fused_conv_batchnorm_reaches_its_consumer_through_its_own_batchnorm()
    {
        using var model = Model.Open(Fixtures.Path("qat/fused.pt"));

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("1")));

        Assert.Equal("4", edge.Consumer.Name);
        Assert.Equal(["1.bn"], edge.Through.Select(l => l.Name));
        Assert.Contains(model.Graph.WithOutgoing(model.Neuron("1", 2)).Parts, p => p.Tensor == "1.bn.running_var" && p.Index == "[2]");
    }

    [Fact]
    public void Statistics_count_the_weights_neurons_only()
    {
        using var model = Model.Open(Fixtures.Path("qat/mlp.pt"));

        var stats = ModelStats.Compute(model);

        Assert.Equal(5 + 3, stats.Layers.Sum(l => l.Neurons.Count));
        Assert.DoesNotContain(stats.Layers.SelectMany(l => l.Neurons), n => n.Dead);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("fused")]
    public void A_prune_cuts_the_weights_per_channel_fake_quantization_with_its_channels(string name)
    {
        var pinned = Expected.GetProperty("prunes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        using var model = Model.Open(Fixtures.Path(pinned.GetProperty("input").GetString()!));
        using var folder = new TempFolder();

        var plan = ModelPrune.Plan(model, [(model.Layer("1"), [.. pinned.GetProperty("args")[1].GetString()!.Split(',').Select(long.Parse)])]);
        string output = PinnedCases.Prune(pinned, folder, "out.pt");

        Assert.Contains(plan.Cuts, c => c.Tensor.Name == "1.weight_fake_quant.activation_post_process.min_val");
        using var pruned = Model.Open(output);
        Assert.Equal(pruned.Layer("1").NeuronCount, pruned.Checkpoint.Find("1.weight_fake_quant.scale")!.Shape[0]);
    }
}
