using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using static NeuronKit.Tests.Layers.Kinds.PReluBilinearOracle;

namespace NeuronKit.Tests.Layers.Kinds;

/// <summary>
/// torch.nn.PReLU keeps one slope per channel (weight [C]) or one every channel shares (weight [1]); alone, that weight looks
/// like a norm's. Fixtures and expected values: make_prelu_bilinear.py.
/// </summary>
public class PReluTests
{
    [Theory]
    [MemberData(nameof(Neurons), MemberType = typeof(PReluBilinearOracle))]
    public void Every_neuron_has_the_parts_PyTorch_indexes(string file, string layer, long index)
    {
        // Given PyTorch's weight[j] (and a Bilinear's bias[j]) of the file loaded back, and the kind asked for where the file cannot say it
        var expected = Parts("neurons", file, layer, index);
        using var model = Model.Open(Fixture(file));

        // When
        var neuron = model.Neuron(layer, index, Asked(file, layer, index));

        // Then
        Assert.Equal(NeuronCount(file, layer, index), neuron.Layer.NeuronCount);
        Assert.Equal(expected, neuron.Parts.Select(Of).ToList());
    }

    [Fact]
    public void A_pickled_PReLU_module_is_a_PReLU_with_a_slope_per_channel_or_one_shared_by_every_channel()
    {
        // Given torch.save of Sequential(Conv2d(3, 8, 3), PReLU(8), Flatten(), Linear(8, 4), Bilinear(4, 5, 6), PReLU())
        using var model = Model.Open(Fixture("prelu_bilinear_module.pt"));

        // When
        var (perChannel, shared) = (model.Layer("1"), model.Layer("5"));

        // Then
        Assert.Equal(("PReLU", 8L, false), (perChannel.Kind, perChannel.NeuronCount, perChannel.Assumed));
        Assert.Equal("module class torch.nn.modules.activation.PReLU", perChannel.Evidence[0]);
        Assert.Equal(("PReLU", 1L, false), (shared.Kind, shared.NeuronCount, shared.Assumed));
        Assert.Contains(shared.Evidence, e => e.Contains("one slope that every channel shares"));
    }

    [Fact]
    public void A_lone_one_element_weight_is_assumed_a_shared_PReLU_slope()
    {
        // Given the state dict: 5.weight [1] alone (PReLU()), nameless
        using var model = Model.Open(Fixture("prelu_bilinear.pt"));

        // When
        var layer = model.Layer("5");

        // Then
        Assert.Equal(("PReLU", true), (layer.Kind, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("weight [1] alone") && e.Contains("PReLU assumed"));
    }

    [Theory]
    [InlineData("act")]
    [InlineData("prelu")]
    [InlineData("activation")]
    [InlineData("relu2")]
    public void A_lone_weight_named_as_an_activation_is_assumed_a_PReLU(string name)
    {
        // Given a 1-d weight alone in a module named as activations are
        using var model = new CheckpointBuilder().Tensor($"block.{name}.weight", 8).Model();

        // When
        var layer = model.Layer($"block.{name}");

        // Then
        Assert.Equal(("PReLU", 8L, true), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains($"name '{name}'") && e.Contains("RMSNorm"));
    }

    [Fact]
    public void A_lone_weight_otherwise_stays_a_LayerNorm_whose_evidence_names_PReLU_as_the_alternative()
    {
        // Given the state dict: 1.weight [8] alone (PReLU(8)) and the named file's norm.weight [8]
        using var model = Model.Open(Fixture("prelu_bilinear.pt"));
        using var named = Model.Open(Fixture("prelu_bilinear_named.pt"));

        // When
        var layers = new[] { model.Layer("1"), named.Layer("norm") };

        // Then
        Assert.All(layers, l => Assert.Equal(("LayerNorm", true), (l.Kind, l.Assumed)));
        Assert.All(layers, l => Assert.Contains(l.Evidence, e => e.Contains("or a PReLU's slopes (--kind PReLU)")));
    }

    [Fact]
    public void Kind_PReLU_rereads_a_lone_weight_and_its_neuron_is_slope_j()
    {
        // Given 1.weight [8], inferred as a LayerNorm
        using var model = Model.Open(Fixture("prelu_bilinear.pt"));

        // When
        var layer = model.Layer("1", "PReLU");
        var slope = Assert.Single(layer.Neuron(3).Parts);

        // Then
        Assert.Equal(("PReLU", 8L, false, "--kind PReLU (asked for)"), (layer.Kind, layer.NeuronCount, layer.Assumed, layer.Evidence[0]));
        Assert.Equal(("1.weight", "slope", "[3]"), (slope.Tensor, slope.Role.Name, slope.Index));
    }

    [Fact]
    public void Kind_PReLU_refuses_a_weight_that_is_not_one_slope_per_channel()
    {
        // Given a 2-d weight
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 4).Model();

        // When
        var error = Assert.Throws<RequestException>(() => model.Layer("fc", "PReLU"));

        // Then
        Assert.Contains("PReLU needs a weight [C] (one slope per channel, or [C, 1, …] as ONNX's PRelu broadcasts it) or [1] (one slope every channel shares), and fc.weight is [3, 4]", error.Message);
    }

    [Theory]
    [MemberData(nameof(Outgoing), MemberType = typeof(PReluBilinearOracle))]
    public void Outgoing_parts_go_through_the_slope_as_a_forward_pass_proved(string file, string layer, long index)
    {
        // Given the through and out parts PyTorch proved for the module's state dict, asked of the pickled module, which says PReLU
        var expected = Parts("outgoing", file, layer, index);
        using var model = Model.Open(Fixture(file));

        // When
        var parts = model.Graph.WithOutgoing(model.Neuron(layer, index)).Parts.Where(p => p.Direction != PartDirection.In);

        // Then
        Assert.Equal(expected, parts.Select(Of).ToList());
    }

    [Fact]
    public void A_prune_of_a_conv_cuts_its_slopes_on_the_way_as_a_PReLU_not_a_norm()
    {
        // Given conv 0 → PReLU 1 (8 slopes) → Linear 3 in the pickled module
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.pt");

        // When
        var run = CliRun.Of(["prune", Fixture("prelu_bilinear_module.pt"), "0", "2,7", "-o", output]);

        // Then the slopes of channels 2 and 7 go with them, and no note says a norm there normalises
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.DoesNotContain("normalises", run.Stderr + run.Stdout);
        using var original = Model.Open(Fixture("prelu_bilinear_module.pt"));
        using var pruned = Model.Open(output);
        double[] slopes = original.Checkpoint.Find("1.weight")!.View().ToDoubles();
        Assert.Equal([.. slopes.Where((_, j) => j is not (2 or 7))], pruned.Checkpoint.Find("1.weight")!.View().ToDoubles());
        Assert.Equal([4L, 6], pruned.Checkpoint.Find("3.weight")!.Shape);
    }

    [Fact]
    public void An_ONNX_PRelu_node_makes_its_slope_a_PReLU_that_the_graph_still_passes_through()
    {
        // Given torch.onnx.export of Conv2d(3, 4, 3) → PReLU(4) → Conv2d(4, 2, 3): node /1/PRelu reads slope onnx::PRelu_11 [4, 1, 1]
        using var model = Model.Open(Fixtures.Path("graph/prelu.onnx"));

        // When
        var layer = model.Layer("/1/PRelu");
        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("/0/Conv")));

        // Then
        Assert.Equal(("PReLU", 4L, "[C, 1, 1]", false), (layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Equal(["ONNX node '/1/PRelu' is PRelu", "slope onnx::PRelu_11 [4, 1, 1]: neuron j is slope j"], layer.Evidence);
        Assert.Equal(("/2/Conv", layer), (edge.Consumer.Name, Assert.Single(edge.Through)));
        Assert.Equal(("onnx::PRelu_11", "slope", "[3]"), layer.Neuron(3).Parts.Select(p => (p.Tensor, p.Role.Name, p.Index)).Single());
    }

    [Fact]
    public void An_ONNX_PRelu_slope_per_feature_or_shared_is_a_PReLU()
    {
        // Given fc1 (Gemm, 4 outputs) → PRelu by s [4] → fc2 (Gemm) → PRelu by t [1]
        using var model = new CheckpointBuilder()
            .Tensor("fc1.weight", 4, 3).Tensor("s", 4).Tensor("fc2.weight", 2, 4).Tensor("t", 1)
            .Node("Gemm", "fc1", ["x", "fc1.weight"], ["h"], ints: new() { ["transB"] = 1 })
            .Node("PRelu", "act1", ["h", "s"], ["a"])
            .Node("Gemm", "fc2", ["a", "fc2.weight"], ["g"], ints: new() { ["transB"] = 1 })
            .Node("PRelu", "act2", ["g", "t"], ["y"])
            .Model();

        // When
        var (perFeature, shared) = (model.Layer("act1"), model.Layer("act2"));

        // Then
        Assert.Equal(("PReLU", 4L, false), (perFeature.Kind, perFeature.NeuronCount, perFeature.Assumed));
        Assert.Equal(("PReLU", 1L, false), (shared.Kind, shared.NeuronCount, shared.Assumed));
        Assert.Equal(perFeature, Assert.Single(Assert.Single(model.Graph.ConsumersOf(model.Layer("fc1"))).Through));
    }

    [Fact]
    public void A_diff_pairs_the_state_dicts_assumed_LayerNorm_with_the_modules_PReLU_slope_by_slope()
    {
        // Given the state dict (1: LayerNorm*, part weight) and the pickled module (1: PReLU, part slope) of one model

        // When
        var run = CliRun.Of(["diff", Fixture("prelu_bilinear.pt"), Fixture("prelu_bilinear_module.pt")]);

        // Then the slopes compare as the weights they are
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("1 (PReLU, 8 neurons)", run.Stdout);
        Assert.DoesNotContain("kinds differ", run.Stdout);
        Assert.Contains("5 layers compared, 27 neurons", run.Stdout);
    }

    [Fact]
    public void One_slope_every_channel_shares_is_on_the_way_for_every_channel_and_a_prune_keeps_it()
    {
        // Given Sequential(Linear(3, 4), PReLU(), Linear(4, 2)): 1.weight [1] scales all four of 0's outputs
        using var model = Model.Open(Fixture("prelu_shared.pt"));
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.pt");

        // When
        var through = model.Graph.WithOutgoing(model.Neuron("0", 3)).Parts.Single(p => p.Direction == PartDirection.Through);
        var run = CliRun.Of(["prune", Fixture("prelu_shared.pt"), "0", "3", "-o", output]);

        // Then the slope is every channel's, so it stays whole while 0 and 2 shrink; it has no channel of its own to follow
        Assert.Equal(("1.weight", "[0]", true), (through.Tensor, through.Index, through.Shared));
        Assert.Empty(model.Graph.ConsumersOf(model.Layer("1")));
        Assert.Contains("its one entry is every channel's", model.Graph.WhyNoConsumer(model.Layer("1")));
        Assert.True(run.Exit == 0, run.Stderr);
        using var pruned = Model.Open(output);
        Assert.Equal(["1: 1", "0: 3, 3", "2: 2, 3"],
            new[] { "1", "0", "2" }.Select(l => $"{l}: {string.Join(", ", pruned.Checkpoint.Find($"{l}.weight")!.Shape)}"));
    }

    [Fact]
    public void A_prune_of_the_PReLU_alone_is_refused_naming_the_layer_to_prune()
    {
        // Given
        using var folder = new TempFolder();

        // When
        var run = CliRun.Of(["prune", Fixture("prelu_bilinear_module.pt"), "1", "2", "-o", Path.Combine(folder.Path, "pruned.pt")]);

        // Then
        Assert.Equal(2, run.Exit);
        Assert.Contains("error: '1' (PReLU) scales the channels '0' makes", run.Stderr);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
