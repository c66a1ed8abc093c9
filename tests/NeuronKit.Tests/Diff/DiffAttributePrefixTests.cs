using NeuronKit.Diff;
using NeuronKit.Tests.Formats.Safetensors;

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

    [Fact]
    public void Two_files_keeping_the_model_under_different_attributes_pair_too()
    {
        // Given a Lightning checkpoint (state_dict.model.fc1) and torch.compile's state dict of the same model times 1.5
        // (_orig_mod.fc1): neither name pairs with the other once only one side's attribute is undone
        using var lightning = Model.Open(Training("lightning.ckpt"));
        using var compiled = Model.Open(Training("compiled.pt"));

        // When each is compared with the other
        var forward = ModelDiff.Compute(lightning, compiled);
        var back = ModelDiff.Compute(compiled, lightning);

        // Then both attributes are undone: each layer pairs with its own, every neuron moved by half its norm, and only
        // the callback's tensor is left over
        Assert.Equal([("state_dict.model.fc1", "_orig_mod.fc1"), ("state_dict.model.fc2", "_orig_mod.fc2")],
            forward.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.Equal([("_orig_mod.fc1", "state_dict.model.fc1"), ("_orig_mod.fc2", "state_dict.model.fc2")],
            back.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.All(forward.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0.5, n.Relative, 1e-6));
        Assert.Equal(["callbacks.ModelCheckpoint{'monitor': 'val_loss', 'mode': 'min'}.best_model_score"], forward.OnlyInA.Select(l => l.Name));
        Assert.Empty(forward.OnlyInB);
        Assert.Equal(forward.OnlyInA.Select(l => l.Name), back.OnlyInB.Select(l => l.Name));
    }

    // A safetensors file of 2x2 Linear weights under the given names.
    private static TempFile Linears(string file, params string[] names)
    {
        var header = string.Join(",", names.Select((n, i) => $"\"{n}.weight\":{{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[{i * 16},{i * 16 + 16}]}}"));
        var data = new byte[names.Length * 16];
        for (int i = 0; i < data.Length / 4; i++) BitConverter.TryWriteBytes(data.AsSpan(i * 4), i + 1f);
        return new TempFile(file, SafetensorsBytes.Build("{" + header + "}", data));
    }

    [Fact]
    public void Under_two_attributes_the_file_with_a_layer_more_still_pairs()
    {
        // Given a model kept as self.model (fc) and a compiled one that gained a head (_orig_mod.fc, _orig_mod.head)
        using var a = Linears("a.safetensors", "model.fc");
        using var b = Linears("b.safetensors", "_orig_mod.fc", "_orig_mod.head");
        using var modelA = Model.Open(a.Path);
        using var modelB = Model.Open(b.Path);

        // When each is compared with the other
        var diff = ModelDiff.Compute(modelA, modelB);
        var back = ModelDiff.Compute(modelB, modelA);

        // Then fc pairs with its own and the head is only in the compiled one
        Assert.Equal([("model.fc", "_orig_mod.fc")], diff.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.Empty(diff.OnlyInA);
        Assert.Equal(["_orig_mod.head"], diff.OnlyInB.Select(l => l.Name));
        Assert.Equal([("_orig_mod.fc", "model.fc")], back.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.Equal(["_orig_mod.head"], back.OnlyInA.Select(l => l.Name));
    }

    [Fact]
    public void Two_attributes_that_would_pair_as_well_pair_nothing()
    {
        // Given a file with the model twice (model.fc and its average, ema.fc) and a compiled one (_orig_mod.fc)
        using var a = Linears("a.safetensors", "model.fc", "ema.fc");
        using var b = Linears("b.safetensors", "_orig_mod.fc");
        using var modelA = Model.Open(a.Path);
        using var modelB = Model.Open(b.Path);

        // When they are compared
        var diff = ModelDiff.Compute(modelA, modelB);

        // Then which of the two is B's cannot be told from the names: nothing is paired, every layer is listed apart
        Assert.Empty(diff.Layers);
        Assert.Equal(["model.fc", "ema.fc"], diff.OnlyInA.Select(l => l.Name).Order().Reverse());
        Assert.Equal(["_orig_mod.fc"], diff.OnlyInB.Select(l => l.Name));
    }

    [Fact]
    public void Two_attributes_under_which_each_side_keeps_a_layer_the_other_lacks_pair_nothing()
    {
        // Given model.fc and model.x against _orig_mod.fc and _orig_mod.y: one name in common, neither side's all
        using var a = Linears("a.safetensors", "model.fc", "model.x");
        using var b = Linears("b.safetensors", "_orig_mod.fc", "_orig_mod.y");
        using var modelA = Model.Open(a.Path);
        using var modelB = Model.Open(b.Path);

        // When they are compared
        var diff = ModelDiff.Compute(modelA, modelB);

        // Then one shared name is not evidence enough that the two attributes hold the same model
        Assert.Empty(diff.Layers);
        Assert.Equal(2, diff.OnlyInA.Count);
        Assert.Equal(2, diff.OnlyInB.Count);
    }
}
