using NeuronKit.Edits;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>
/// A .dat file pruned by NeuronKit loads, with TorchSharp's own module.load and its exact shapes, into the module built
/// with the smaller sizes, and that module computes what the original computes with the removed neurons ablated by
/// hand (the consumers' input columns set to zero): make_prune.py's MLP and CNN, on fixed inputs. Its two-layer
/// bidirectional LSTM is left out: here TorchSharp 0.107's nn.LSTM, given the weights of a .dat it saved itself,
/// computed another output than torch's nn.LSTM given the same weights and inputs, before any prune (not yet explained);
/// the pruned .dat of it held exactly the cut, and torch computed the ablated output from it.
/// </summary>
public sealed class PruneTests
{
    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential net;

        public Mlp(long h1 = 6, long h2 = 4) : base(nameof(Mlp))
        {
            net = nn.Sequential(nn.Linear(8, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, 3));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => net.forward(x);
    }

    private sealed class Cnn : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential net;

        public Cnn(long c1 = 6, long c2 = 4) : base(nameof(Cnn))
        {
            net = nn.Sequential(nn.Conv2d(3, c1, 3, padding: 1), nn.BatchNorm2d(c1), nn.ReLU(), nn.Conv2d(c1, c2, 3), nn.ReLU(),
                nn.Flatten(), nn.Linear(c2 * 4 * 4, 5));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => net.forward(x);
    }

    private sealed record Case(Func<nn.Module<Tensor, Tensor>> Original, Func<nn.Module<Tensor, Tensor>> Smaller, long[] Input,
        (string Layer, long[] Neurons)[] Prune, string[] Consumers, (string Tensor, long[] Columns)[] Ablation);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["mlp, two layers"] = new(() => new Mlp(), () => new Mlp(5, 3), [4, 8], [("net.0", [5]), ("net.2", [0])], [],
            [("net.2.weight", [5]), ("net.4.weight", [0])]),
        ["cnn, BatchNorm on the way"] = new(() => new Cnn(), () => new Cnn(c1: 5), [2, 3, 6, 6], [("net.0", [2])], [],
            [("net.3.weight", [2])]),
        ["cnn, a flatten's blocks"] = new(() => new Cnn(), () => new Cnn(c2: 2), [2, 3, 6, 6], [("net.3", [1, 3])], [],
            [("net.6.weight", [.. Enumerable.Range(16, 16).Select(i => (long)i), .. Enumerable.Range(48, 16).Select(i => (long)i)])]),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [TorchTheory]
    [MemberData(nameof(Names))]
    public void The_pruned_file_loads_into_the_smaller_module_which_computes_what_the_ablated_original_does(string name)
    {
        // Given a module with seeded weights (BatchNorm statistics that are not 0 and 1) and its .dat file
        var c = Cases[name];
        manual_seed(0);
        var original = c.Original();
        using (no_grad())
            foreach (var (key, tensor) in original.state_dict().Where(t => t.Key.Contains("running_")))
                tensor.copy_(key.EndsWith("running_var") ? rand_like(tensor) + 0.5 : rand_like(tensor) - 0.5);
        original.eval();
        using var file = TempFile.Saved(original);
        string pruned = file.Path + ".pruned.dat";

        try
        {
            // When NeuronKit prunes the file
            using (var model = Model.Open(file.Path))
            {
                var prune = ModelPrune.Plan(model, [.. c.Prune.Select(p => (model.Layer(p.Layer), (IReadOnlyList<long>)p.Neurons))], c.Consumers);
                prune.WriteTo(pruned);
            }

            // Then TorchSharp loads it into the smaller module, which computes what the original does with the neurons ablated
            var smaller = c.Smaller();
            smaller.load(pruned);
            smaller.eval();
            manual_seed(1);
            var x = randn(c.Input);
            using var _ = no_grad();
            var unablated = original.forward(x);
            var state = original.state_dict();
            foreach (var (key, columns) in c.Ablation) state[key].index_fill_(1, tensor(columns), 0);
            var ablated = original.forward(x);
            Assert.True(ablated.allclose(smaller.forward(x), rtol: 1e-5, atol: 1e-5), $"{name}: the pruned module does not compute the ablated output");
            Assert.False(ablated.allclose(unablated, rtol: 1e-5, atol: 1e-5), $"{name}: ablating changes nothing; pick live neurons");
        }
        finally
        {
            File.Delete(pruned);
        }
    }
}
