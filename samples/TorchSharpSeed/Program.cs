// The seed's three questions, asked of live TorchSharp modules with NeuronKit.TorchSharp:
//   1. nn.Sequential(Linear(10, 5), ReLU(), Linear(5, 2)): the weights and bias of neuron 1 of layer 0
//   2. Conv2d(3, 16, 3): filter 4 and its bias
//   3. an LSTM(10, 20) inside a module: hidden unit 2 across all four gates
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

// One line per part: the slice, its gate, shape and dtype, and its first values.
static void Print(LivePart part)
{
    double[] values = part.ToDoubles();
    string shown = string.Join(", ", values.Take(6).Select(v => v.ToString("0.0000")));
    string more = values.Length > 6 ? $", … ({values.Length} values)" : "";
    string gate = part.Gate is null ? "" : $" gate {part.Gate}";
    Console.WriteLine($"   {part,-22}{part.Role}{gate} · [{string.Join(", ", part.Shape)}] {part.DType.ToString().ToLowerInvariant()}: [{shown}{more}]");
}
