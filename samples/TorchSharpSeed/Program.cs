// The seed's three questions, asked of live TorchSharp modules with NeuronKit.TorchSharp:
//   1. nn.Sequential(Linear(10, 5), ReLU(), Linear(5, 2)): the weights and bias of neuron 1 of layer 0
//   2. Conv2d(3, 16, 3): filter 4 and its bias
//   3. an LSTM(10, 20) inside a module: hidden unit 2 across all four gates
//   4. what neurons do: their activations on inputs, read with forward hooks, and the inputs that activate one most
// Run from the repository root: dotnet run --project samples/TorchSharpSeed
// (on Debian 12 too: the build makes TorchSharp's native wrapper load there, see build/WeakenTorchSharpGlibcxxNeed).
using NeuronKit.TorchSharp;
using static TorchSharp.torch;

// Seeded as tests/fixtures/make_fixtures.py seeds PyTorch before making samples/seed_*.pt, in the same order: libtorch
// draws the same initial weights, so these live modules hold the very numbers of those files.
manual_seed(0);
var seq = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2));
using (var neuron = seq.Neuron("0", 1))
{
    Console.WriteLine($"1. {neuron}");
    foreach (var part in neuron.Parts) Print(part);
    Tensor row = neuron.Part("weight")!.Tensor;                     // a TorchSharp view of 0.weight[1]: no copy
    Console.WriteLine($"   as a TorchSharp view: shape [{string.Join(", ", row.shape)}], sum {row.sum().item<float>():0.0000}");
}

var conv = new SeedConv();
using (var filter = conv.Neuron("conv1", 4))
{
    Console.WriteLine($"2. {filter}");
    foreach (var part in filter.Parts) Print(part);
}

var lstm = new SeedLstm();
using (var unit = lstm.Neuron("rnn", 2))
{
    Console.WriteLine($"3. {unit}, gates {string.Join(", ", unit.Parts.Select(p => p.Gate).Distinct())}");
    foreach (var part in unit.Parts) Print(part);
    // Each gate's bias_ih + bias_hh, as NeuronKit adds them (a GRU's new gate would say why it does not).
    foreach (var bias in unit.EffectiveBiases)
        Console.WriteLine($"   effective {bias.Gate} bias ({string.Join(" + ", bias.Parts.Select(p => p.Role))}): {bias.Value():0.0000}");
}

// 4. Activations. The inputs are drawn after the three models are built, so the models keep the files' weights and the
// inputs, from the same seeded generator, are the same on every run.
var live = new LiveModel(seq);
using var batch = randn(3, 10);
var relu = live.Activations("0", 1, batch, post: true);                 // neuron 1 of layer 0 after its ReLU, per batch item
Console.WriteLine($"4. {relu.Layer.Name}[{relu.Index}] after module {relu.Hooked} (its ReLU), per batch item: " +
    string.Join(", ", relu.Items.Select(i => i.Values[0].ToString("0.0000"))));
using var images = randn(2, 3, 8, 8);
foreach (var map in new LiveModel(conv).Activations("conv1", 4, images).Items)   // channel 4: an [H, W] map per image
    Console.WriteLine($"   conv1 channel 4, image {map.Item}: map [{string.Join(", ", map.Shape)}], mean {map.Mean:0.0000}, max {map.Max:0.0000}");
using var sequence = randn(5, 1, 10);
var steps = new LiveModel(lstm).Activations("rnn", 2, sequence).Items[0];          // hidden unit 2, per time step
Console.WriteLine($"   rnn.l0 unit 2 over {steps.Shape[0]} time steps: {string.Join(", ", steps.Values.Select(v => v.ToString("0.0000")))}");
var top = live.TopActivations("0", 1, Enumerable.Range(0, 100).Select(_ => randn(1, 10)), k: 3);   // streamed: 100 inputs
Console.WriteLine($"   top 3 of 100 inputs for 0[1] by max: {string.Join(", ", top.Select(t => $"#{t.Input} ({t.Value:0.0000})"))}");

// One line per part: the slice, its gate, shape and dtype, and its first values.
static void Print(LivePart part)
{
    double[] values = part.ToDoubles();
    string shown = string.Join(", ", values.Take(6).Select(v => v.ToString("0.0000")));
    string more = values.Length > 6 ? $", … ({values.Length} values)" : "";
    string gate = part.Gate is null ? "" : $" gate {part.Gate}";
    Console.WriteLine($"   {part,-22}{part.Role}{gate} · [{string.Join(", ", part.Shape)}] {part.DType.ToString().ToLowerInvariant()}: [{shown}{more}]");
}
