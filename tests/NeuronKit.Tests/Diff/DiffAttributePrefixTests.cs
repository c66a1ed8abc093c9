using NeuronKit.Diff;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// A model kept under an attribute (a LightningModule's self.model, torch.compile's _orig_mod) pairs with the model's
/// own state dict (tests/fixtures/training, make_training.py), on either side of the diff.
/// </summary>
public class DiffAttributePrefixTests
{
    private static string Training(string name) => Fixtures.Path("training/" + name);

    [Fact]
    public void A_lightning_checkpoint_pairs_with_the_models_own_state_dict()
    {
        // Given a Lightning checkpoint (state_dict.model.fc1, a callback's tensor) and the model's state dict (fc1)
        using var lightning = Model.Open(Training("lightning.ckpt"));
        using var plain = Model.Open(Training("plain.pt"));

        // When they are compared
        var diff = ModelDiff.Compute(lightning, plain);

        // Then each layer pairs with its own, nothing moved, and only the callback's tensor is left over
        Assert.Equal([("state_dict.model.fc1", "fc1"), ("state_dict.model.fc2", "fc2")], diff.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.Equal(["callbacks.ModelCheckpoint{'monitor': 'val_loss', 'mode': 'min'}.best_model_score"], diff.OnlyInA.Select(l => l.Name));
        Assert.Empty(diff.OnlyInB);
    }

    [Fact]
    public void A_compiled_models_state_dict_pairs_on_the_other_side_too()
    {
        // Given the model's state dict and torch.compile's, every weight times 1.5
        using var plain = Model.Open(Training("plain.pt"));
        using var compiled = Model.Open(Training("compiled.pt"));

        // When each is compared with the other
        var forward = ModelDiff.Compute(plain, compiled);
        var back = ModelDiff.Compute(compiled, plain);

        // Then the layers pair by name once _orig_mod. is undone, and every neuron moved by half its norm
        Assert.Equal([("fc1", "_orig_mod.fc1"), ("fc2", "_orig_mod.fc2")], forward.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.Equal([("_orig_mod.fc1", "fc1"), ("_orig_mod.fc2", "fc2")], back.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.All(forward.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0.5, n.Relative, 1e-6));
        Assert.Empty(forward.OnlyInA);
        Assert.Empty(forward.OnlyInB);
    }
}
