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
    public void A_norm_on_the_way_is_cut_with_the_layer_not_taken_for_another_producer()
    {
        using var model = Model.Open(Fixtures.Path("prune/cnn.safetensors"));

        var prune = ModelPrune.Plan(model, [(model.Layer("net.0"), [2])]);

        Assert.Equal(["net.0"], prune.Targets.Select(t => t.Layer.Name));
        Assert.Equal(["net.0.bias", "net.0.weight", "net.1.bias", "net.1.running_mean", "net.1.running_var", "net.1.weight", "net.3.weight"],
            prune.Cuts.Select(c => c.Tensor.Name).Order());
    }
}
