using NeuronKit.TorchSharp.Tests.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>
/// A second, independent oracle: libtorch under TorchSharp draws the same initial weights as PyTorch for the same seed, so
/// the seed's modules made live here hold the numbers of the PyTorch-written samples/seed_*.pt, neuron for neuron.
/// </summary>
public sealed class PyTorchSampleTests
{
    [TorchFact]
    public void The_seed_modules_made_live_with_PyTorch_s_seed_give_every_neuron_of_the_PyTorch_sample_files()
    {
        // Given the three modules made as tests/fixtures/make_fixtures.py makes them: seed 0, then in this order
        manual_seed(0);
        (nn.Module Module, string File)[] seeds =
        [
            (nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2)), "seed_linear.pt"),
            (new SeedConv(), "seed_conv.pt"),
            (new SeedLstm(), "seed_lstm.pt"),
        ];

        foreach (var (module, file) in seeds)
        {
            // When each is read live and its sample file is opened
            using var saved = Model.Open(Path.Combine(Repository.Samples, file));
            var live = new LiveModel(module);

            // Then every neuron of every layer has the same parts with the very same values
            Assert.Equal(saved.Layers.Select(l => $"{l.Name} {l.Kind} {l.NeuronCount}"), live.Layers.Select(l => $"{l.Name} {l.Kind} {l.NeuronCount}"));
            foreach (var (fromFile, fromModule) in saved.Layers.Zip(live.Layers))
                for (long j = 0; j < fromFile.NeuronCount; j++)
                {
                    var expected = fromFile.Neuron(j).Parts;
                    using var neuron = live.Neuron(fromModule, j);
                    Assert.Equal(expected.Select(p => $"{p.Tensor}{p.Index} {p.Gate?.Name}"), neuron.Parts.Select(p => $"{p.Name}{p.Index} {p.Gate?.Name}"));
                    foreach (var (want, part) in expected.Zip(neuron.Parts))
                        Assert.Equal(want.ToDoubles(), Oracle.Values(part.Tensor));
                }
        }
    }
}
