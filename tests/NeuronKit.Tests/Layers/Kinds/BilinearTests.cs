using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using static NeuronKit.Tests.Layers.Kinds.PReluBilinearOracle;

namespace NeuronKit.Tests.Layers.Kinds;

/// <summary>
/// torch.nn.Bilinear(in1, in2, out): y_j = x1ᵀ W[j] x2 + b[j], weight [out, in1, in2], bias [out]; alone, those shapes are a
/// Conv1d's. Fixtures and expected values (Every_neuron_has_the_parts_PyTorch_indexes in PReluTests reads Bilinear's too):
/// make_prelu_bilinear.py.
/// </summary>
public class BilinearTests
{
    [Fact]
    public void A_pickled_Bilinear_module_is_a_Bilinear_whose_neuron_is_the_matrix_W_j_and_bias_j()
    {
        // Given torch.save of a module holding Bilinear(4, 5, 6) as child 4
        using var model = Model.Open(Fixture("prelu_bilinear_module.pt"));

        // When
        var layer = model.Layer("4");
        var neuron = layer.Neuron(2);

        // Then
        Assert.Equal(("Bilinear", 6L, "[out, in1, in2]", false), (layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Equal("module class torch.nn.modules.linear.Bilinear", layer.Evidence[0]);
        Assert.Equal([("4.weight", "weight", "[2]", 4L * 5), ("4.bias", "bias", "[2]", 1L)],
            neuron.Parts.Select(p => (p.Tensor, p.Role.Name, p.Index, p.Shape.Aggregate(1L, (a, b) => a * b))));
    }

    [Fact]
    public void A_state_dicts_3_d_weight_with_a_bias_is_assumed_a_Conv1d_and_the_evidence_names_Bilinear()
    {
        // Given the state dict: 4.weight [6, 4, 5], 4.bias [6], nameless
        using var model = Model.Open(Fixture("prelu_bilinear.pt"));

        // When
        var layer = model.Layer("4");

        // Then
        Assert.Equal(("Conv1d", true), (layer.Kind, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("a Bilinear(4, 5, 6) stores the same [out, in1, in2]; Conv1d assumed (--kind Bilinear reads it so)"));
    }

    [Fact]
    public void A_module_named_bilinear_is_a_Bilinear()
    {
        // Given the named state dict: bilinear.weight [6, 4, 5], bilinear.bias [6]
        using var model = Model.Open(Fixture("prelu_bilinear_named.pt"));

        // When
        var layer = model.Layer("bilinear");

        // Then
        Assert.Equal(("Bilinear", 6L, false), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("name 'bilinear'"));
    }

    [Fact]
    public void A_module_named_as_a_convolution_is_a_Conv1d_without_doubt()
    {
        // Given a 3-d weight and bias in a module named conv1
        using var model = new CheckpointBuilder().Tensor("enc.conv1.weight", 6, 4, 3).Tensor("enc.conv1.bias", 6).Model();

        // When
        var layer = model.Layer("enc.conv1");

        // Then
        Assert.Equal(("Conv1d", false), (layer.Kind, layer.Assumed));
    }

    [Fact]
    public void Kind_Bilinear_rereads_a_Conv1d()
    {
        // Given 4, inferred as a Conv1d
        using var model = Model.Open(Fixture("prelu_bilinear.pt"));

        // When
        var layer = model.Layer("4", "Bilinear");

        // Then
        Assert.Equal(("Bilinear", "[out, in1, in2]", false, "--kind Bilinear (asked for)"), (layer.Kind, layer.Layout, layer.Assumed, layer.Evidence[0]));
        Assert.Equal("[1]", layer.Neuron(1).Parts[0].Index);
    }

    [Fact]
    public void Kind_Bilinear_refuses_a_weight_that_is_not_3_d()
    {
        // Given a 4-d weight
        using var model = new CheckpointBuilder().Tensor("c.weight", 6, 4, 3, 3).Model();

        // When
        var error = Assert.Throws<RequestException>(() => model.Layer("c", "Bilinear"));

        // Then
        Assert.Contains("Bilinear needs a 3-d weight [out, in1, in2], and c.weight is [6, 4, 3, 3]", error.Message);
    }

    [Fact]
    public void As_a_consumer_it_reads_its_first_input_through_W_i_and_says_so()
    {
        // Given Linear 3 → Bilinear 4 in the pickled module
        using var model = Model.Open(Fixture("prelu_bilinear_module.pt"));

        // When
        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("3")));
        var part = model.Graph.WithOutgoing(model.Neuron("3", 1)).Parts.Single(p => p.Direction == PartDirection.Out);

        // Then
        Assert.Equal(("4", "[:, 1]"), (edge.Consumer.Name, part.Index));
        Assert.Contains("first input x1", part.Note);
    }

    [Fact]
    public void A_prune_through_it_removes_the_first_inputs_slices()
    {
        // Given Linear 3 → Bilinear 4 (weight [6, 4, 5])
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.pt");

        // When
        var run = CliRun.Of(["prune", Fixture("prelu_bilinear_module.pt"), "3", "1", "-o", output]);

        // Then W[:, 1, :] is gone: Bilinear(3, 5, 6)
        Assert.True(run.Exit == 0, run.Stderr);
        using var original = Model.Open(Fixture("prelu_bilinear_module.pt"));
        using var pruned = Model.Open(output);
        var weight = original.Checkpoint.Find("4.weight")!.View().ToDoubles();
        Assert.Equal([6L, 3, 5], pruned.Checkpoint.Find("4.weight")!.Shape);
        Assert.Equal([.. weight.Where((_, k) => k / 5 % 4 != 1)], pruned.Checkpoint.Find("4.weight")!.View().ToDoubles());
    }
}
