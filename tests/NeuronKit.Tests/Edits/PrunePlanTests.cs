using NeuronKit.Edits;

namespace NeuronKit.Tests.Edits;

/// <summary>What a prune plan cuts besides the neurons asked for.</summary>
public class PrunePlanTests
{
    [Fact]
    public void A_layer_multiplied_with_the_pruned_one_before_the_same_consumer_loses_the_same_units()
    {
        using var model = Model.Open(Fixtures.Path("graph/llama_ffn.gguf"));

        var prune = ModelPrune.Plan(model, [(model.Layer("blk.0.ffn_up"), [3, -1])]);

        Assert.Equal([("blk.0.ffn_up", [3L, 7]), ("blk.0.ffn_gate", [3L, 7])], prune.Targets.Select(t => (t.Layer.Name, t.Removed.ToArray())));
        var cuts = prune.Cuts.ToDictionary(c => c.Tensor.Name);
        Assert.Equal([6L, 4], cuts["blk.0.ffn_up.weight"].NewShape);
        Assert.Equal([6L, 4], cuts["blk.0.ffn_gate.weight"].NewShape);
        Assert.Equal([4L, 6], cuts["blk.0.ffn_down.weight"].NewShape);
        Assert.Equal([1], cuts["blk.0.ffn_down.weight"].Removed.Keys);
    }

    [Fact]
    public void A_Hugging_Face_LLaMA_s_MLP_unit_goes_from_up_proj_gate_proj_and_down_proj_as_llama_cpp_s_does()
    {
        // Given the tiny LLaMA in Hugging Face naming (safetensors, no graph: names say what reads up_proj)
        using var model = Model.Open(Fixtures.Path("diff/cross/llama/model.safetensors"));

        var prune = ModelPrune.Plan(model, [(model.Layer("model.layers.1.mlp.up_proj"), [3, -1])]);

        // Then the gate's rows go with the up projection's, and down_proj loses the matching columns
        Assert.Equal([("model.layers.1.mlp.up_proj", [3L, 63]), ("model.layers.1.mlp.gate_proj", [3L, 63])],
            prune.Targets.Select(t => (t.Layer.Name, t.Removed.ToArray())));
        var cuts = prune.Cuts.ToDictionary(c => c.Tensor.Name);
        Assert.Equal([62L, 32], cuts["model.layers.1.mlp.gate_proj.weight"].NewShape);
        Assert.Equal([32L, 62], cuts["model.layers.1.mlp.down_proj.weight"].NewShape);
        Assert.Equal([1], cuts["model.layers.1.mlp.down_proj.weight"].Removed.Keys);
    }

    [Theory]
    [InlineData("phi3_block.safetensors", "model.layers.0.mlp.gate_up_proj", "model.layers.0.mlp.down_proj", 8)]
    [InlineData("phi3_block.gguf", "blk.0.ffn_up", "blk.0.ffn_down", 2)]
    public void A_fused_gate_and_up_projection_loses_both_halves_of_a_unit(string file, string layer, string consumer, long asked)
    {
        // Given Phi-3's gate | up, n_ff 6, in either naming: asked for up unit 8 or gate unit 2, both of MLP unit 2
        using var model = Model.Open(Fixtures.Path("graph/" + file));

        var prune = ModelPrune.Plan(model, [(model.Layer(layer), [asked])]);

        // Then its gate row 2 and up row 8 go, and the column of the consumer they both reach
        Assert.Equal([(layer, [2L, 8])], prune.Targets.Select(t => (t.Layer.Name, t.Removed.ToArray())));
        var cuts = prune.Cuts.ToDictionary(c => c.Tensor.Name);
        Assert.Equal([10L, 4], cuts[layer + ".weight"].NewShape);
        Assert.Equal([4L, 5], cuts[consumer + ".weight"].NewShape);
        Assert.Equal([2L], Assert.Single(cuts[consumer + ".weight"].Removed, d => d.Key == 1).Value);
        Assert.Equal([$"'{layer}' loses each unit's gate and up rows together (2, 8): they are multiplied unit for unit before '{consumer}' reads them"],
            prune.Notes);
    }

    [Fact]
    public void A_norm_on_the_way_is_cut_with_the_layer_not_taken_for_another_producer()
    {
        using var model = Model.Open(Fixtures.Path("prune/cnn.safetensors"));

        var prune = ModelPrune.Plan(model, [(model.Layer("net.0"), [2])]);

        Assert.Equal(["net.0"], prune.Targets.Select(t => t.Layer.Name));
        Assert.Equal(["net.0.bias", "net.0.weight", "net.1.bias", "net.1.running_mean", "net.1.running_var", "net.1.weight", "net.3.weight"],
            prune.Cuts.Select(c => c.Tensor.Name).Order());
    }
}
