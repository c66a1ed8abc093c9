using NeuronKit.Edits;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// A norm on a pruned unit's way whose statistics mix channels (LayerNorm, RMSNorm, GroupNorm) makes the pruned model
/// differ from the ablated original, and a note says so; a BatchNorm's are per channel, and it gets none.
/// </summary>
public class PruneNormNotesTests
{
    // nn.Sequential(Linear(3, 4), NORM(4), Linear(4, 2)) as a state dict, the norm given by its class.
    private static Model Mlp(string? normClass)
    {
        var builder = new CheckpointBuilder().Tensor("0.weight", 4, 3).Tensor("0.bias", 4);
        builder = normClass is null ? builder.Norm("1", 4)
            : normClass == "" ? builder.Tensor("1.weight", 4).Tensor("1.bias", 4)
            : builder.Tensor("1.weight", 4).Tensor("1.bias", 4).Class("1", normClass);
        return builder.Tensor("2.weight", 2, 4).Tensor("2.bias", 2).Model();
    }

    // "": no class, a state dict's weight and bias alone, which a LayerNorm and a GroupNorm both keep. Where the groups are
    // unknown the note says they must stay of one size.
    [Theory]
    [InlineData("torch.nn.modules.normalization.LayerNorm", "'1' (LayerNorm) normalises each channel by statistics taken over all its channels together", "")]
    [InlineData("torch.nn.modules.normalization.GroupNorm", "'1' (GroupNorm) normalises each channel by statistics taken over its group's channels together",
        "; the file does not say how many groups it has, which must stay of one size (as many channels of each, or whole groups)")]
    [InlineData("", "'1' (LayerNorm) normalises each channel by statistics taken over all its channels together",
        "; the file does not say whether it is a LayerNorm or a GroupNorm, whose groups must stay of one size (as many channels of each, or whole groups)")]
    public void A_norm_that_mixes_channels_on_the_way_is_noted(string normClass, string expected, string groups)
    {
        using var model = Mlp(normClass);

        var prune = ModelPrune.Plan(model, [(model.Layer("0"), [1])]);

        Assert.Contains(model.Layer("1"), model.Graph.ConsumersOf(model.Layer("0")).SelectMany(e => e.Through));
        var note = Assert.Single(prune.Notes);
        Assert.StartsWith(expected, note);
        Assert.Contains("computes only approximately what the original computes with these units ablated", note);
        Assert.EndsWith("(neuron edit --zero --outgoing computes that exactly)" + groups, note);
    }

    [Fact]
    public void A_BatchNorm_on_the_way_gets_no_note()
    {
        using var model = Mlp(null);

        var prune = ModelPrune.Plan(model, [(model.Layer("0"), [1])]);

        Assert.Equal("BatchNorm", model.Layer("1").Kind);
        Assert.Empty(prune.Notes);
    }
}
