using NeuronKit.TorchSharp.Tests.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>
/// A module saved with TorchSharp's own save and opened as a file gives the same neurons as the live module, and the same
/// NumPy arrays of each.
/// </summary>
public sealed class RoundTripTests
{
    public static TheoryData<string> Models => [.. Builders.Keys];

    private static readonly Dictionary<string, Func<nn.Module>> Builders = new()
    {
        ["seed Sequential"] = () => nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2)),
        ["seed Conv2d"] = () => new SeedConv(),
        ["seed LSTM"] = () => new SeedLstm(),
        ["nested encoder"] = () => new Encoder(),
        ["recurrent"] = () => new Named(("gru", nn.GRU(4, 6, numLayers: 2, bidirectional: true)), ("cell", nn.LSTMCell(3, 2))),
        ["kinds"] = () => new Named(
            ("up", nn.ConvTranspose2d(4, 6, 3, groups: 2)), ("bn", nn.BatchNorm2d(5)), ("gn", nn.GroupNorm(2, 4)),
            ("attn", nn.MultiheadAttention(8, 2)), ("conv", nn.Conv1d(3, 4, 2))),
        ["float16"] = () => new Named(("fc", nn.Linear(6, 3))).to(ScalarType.Float16),
    };

    // The kind a file without module classes reads a module's tensors as, where it cannot be the module's own class.
    private static readonly Dictionary<string, string> ClasslessKinds = new()
    {
        ["BatchNorm2d"] = "BatchNorm",
        ["GroupNorm"] = "LayerNorm",
    };

    [TorchTheory]
    [MemberData(nameof(Models))]
    public void Every_neuron_of_the_saved_file_equals_the_live_module_s(string name)
    {
        // Given a module and the file TorchSharp's module.save writes of it
        var module = Builders[name]();
        using (no_grad())
            foreach (var (key, tensor) in module.state_dict().Where(t => t.Value.is_floating_point()))
                tensor.copy_(key.EndsWith("running_var") ? rand_like(tensor) + 0.5 : randn_like(tensor));
        using var file = TempFile.Saved(module);
        using var saved = Model.Open(file.Path);
        var live = new LiveModel(module);

        // Then the same layers, and every neuron of each has the same parts with the same values
        Assert.Equal("torchsharp", saved.Checkpoint.Format);
        Assert.Equal(saved.Layers.Select(l => (l.Name, l.NeuronCount)), live.Layers.Select(l => (l.Name, l.NeuronCount)));
        foreach (var (fromFile, fromModule) in saved.Layers.Zip(live.Layers))
        {
            // A state dict cannot tell BatchNorm2d from 1d and 3d, or a GroupNorm from a LayerNorm; the live module's class can.
            Assert.Equal(fromFile.Kind, ClasslessKinds.GetValueOrDefault(fromModule.Kind, fromModule.Kind));
            for (long j = 0; j < fromFile.NeuronCount; j++)
            {
                var expected = fromFile.Neuron(j).Parts;
                using var neuron = live.Neuron(fromModule, j);
                Assert.Equal(
                    expected.Select(p => (p.Tensor, p.Role.Name, p.Gate?.Name, p.Index, p.DType, Shape: string.Join(",", p.Shape))),
                    neuron.Parts.Select(p => (Tensor: p.Name, p.Role.Name, p.Gate?.Name, p.Index, p.DType, Shape: string.Join(",", p.Shape))));
                foreach (var (want, part) in expected.Zip(neuron.Parts))
                {
                    Assert.Equal(want.ToDoubles(), part.ToDoubles());
                    Assert.Equal(want.ToDoubles(), Oracle.Values(part.Tensor));
                }
                // and the NumPy arrays neuron show -o saves of it are the same, key, dtype and bytes
                Assert.Equal(NeuronKit.Export.NeuronArrays.Of(expected).Select(a => (a.Name, a.DType, Bytes: Convert.ToHexString(a.Bytes))),
                    NeuronKit.Export.NeuronArrays.Of(neuron.Neuron.Parts).Select(a => (a.Name, a.DType, Bytes: Convert.ToHexString(a.Bytes))));
            }
        }
    }
}
